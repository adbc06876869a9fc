"""The controlled vocabulary: symptoms, treatments, triggers, topics, side effects."""
