"""Conversations for the demo community: what members with MS spasticity talk about.

Each thread: (title, author, tags, opening post, replies); a reply is
(author, body, [replies to it]).
"""

THREADS = [
    ("Baclofen made me so sleepy. Does it wear off?", "StiffLegsSam", ["baclofen", "spasticity", "fatigue"],
     "Started oral baclofen (10 mg three times a day) two weeks ago. My legs are **much** less stiff in the morning, "
     "but I'm falling asleep at my desk by 2pm. Did the drowsiness get better for anyone, or did you switch?",
     [("clonus_carla", "It got better for me after about a month. My neuro had me take the biggest dose at night.",
       [("StiffLegsSam", "Good idea, I'll ask about moving the dose to the evening. Thanks!", []),
        ("tizzy_tom", "Same experience here, about 4–5 weeks before I felt normal in the afternoon.", [])]),
      ("pumplife_priya", "I never got used to it orally, which is partly why I ended up with the pump. "
       "Much lower dose, no fog. Not for everyone, but worth knowing it exists.",
       [("newbie_noor", "How long did the pump trial take? I'm scared of surgery.",
         [("pumplife_priya", "The test dose was one morning in hospital. The implant itself was a short stay. "
           "Happy to answer questions here.", [])])]),
      ("mod_maria", "A reminder from the moderators: please don't change doses without talking to your healthcare team. "
       "Sharing what worked is great — just check with them first.", [])]),
    ("Heat makes my legs turn to concrete — cooling vest recommendations?", "coolvest_cat", ["heat", "cooling", "spasticity"],
     "Every summer my spasticity doubles. I'm looking at cooling vests. Phase-change packs or evaporative? "
     "Anything that doesn't weigh a ton?",
     [("aqua_anna", "Phase-change (the ones that refreeze at 15 °C) worked best for me. Evaporative ones are useless when it's humid.",
       [("coolvest_cat", "Humid is exactly my problem, so that settles it.", [])]),
      ("rollator_rob", "Cheap trick: frozen water bottles in the pockets of my rollator bag and a neck wrap.", []),
      ("stretchy_sue", "A cool (not cold) shower before stretching helps me a lot too.", [])]),
    ("Night cramps at 3am — what actually helps?", "night_spasms_nia", ["cramps", "sleep-disruption", "stretching"],
     "I wake up two or three times a night with calf cramps and my toes curling. Magnesium did nothing. What works for you?",
     [("stretchy_sue", "A 10-minute calf and hamstring stretch right before bed, every single night. Consistency matters more than length.",
       [("night_spasms_nia", "Do you do it in bed or on the floor?",
         [("stretchy_sue", "In bed, with a strap around my foot. No getting up and down.", [])])]),
      ("tizzy_tom", "Tizanidine at bedtime stopped most of mine. It does make mornings slow.", []),
      ("claw_hand_kai", "Weighted blanket + keeping my feet warm. Cold feet = cramps for me.", [])]),
    ("Botox for hand spasticity (the claw) — worth it?", "claw_hand_kai", ["botulinum-toxin", "hand-spasticity"],
     "My right hand curls up and I can barely open it to hold a cup. My neurologist suggested Botox injections "
     "into the forearm. Anyone had that done? Did it hurt, and how long did it last?",
     [("clonus_carla", "Had it in my calves, not hands. The injections sting for a second. Effect kicked in after ~10 days and lasted about 3 months.",
       []),
      ("carer_colin", "My wife has it for her hand every 12 weeks, combined with a night splint from the OT. The splint matters as much as the Botox.",
       [("claw_hand_kai", "I didn't know splints were part of it. Who made the splint?",
         [("carer_colin", "The occupational therapist made it from a mould. Took one appointment.", [])])])]),
    ("Newly diagnosed and scared of the stiffness", "newbie_noor", ["newly-diagnosed", "spasticity"],
     "I was diagnosed three months ago and my legs have started feeling tight, especially after sitting. "
     "I don't know what's normal. Where did you start?",
     [("mod_maria", "Welcome, Noor. You're in the right place. The browse page lists symptoms and treatments with what members tried.",
       []),
      ("StiffLegsSam", "Ask for a physio referral early. Learning the right stretches before it gets bad made a big difference for me.",
       [("newbie_noor", "Thank you. I'll ask at my next appointment.", [])]),
      ("aqua_anna", "And be kind to yourself. It took me a year to find a routine.", [])]),
    ("Aquatic exercise: warm pool classes changed my week", "aqua_anna", ["aquatic-exercise", "spasticity", "walking-balance"],
     "Twice a week I do a warm-water class (32 °C). I can move in the water in ways I can't on land, and the "
     "stiffness stays down for a day afterwards. Anyone else?",
     [("rollator_rob", "Yes! Although getting changed afterwards wipes me out.", []),
      ("coolvest_cat", "Too warm for me — heat makes me worse. A cooler pool works though.", [])]),
    ("Does anyone get clonus when they put their foot on the floor?", "clonus_carla", ["clonus", "walking-balance", "falls"],
     "My ankle starts bouncing as soon as I put weight on the ball of my foot. It's worst on stairs. "
     "Pressing the heel down stops it. Tips?",
     [("rollator_rob", "An AFO (ankle-foot brace) helped mine a lot because my foot stays flat.", []),
      ("tizzy_tom", "I get it too. Standing with the heel down first, then weight on, is my habit now.", [])]),
    ("Cannabis spray (nabiximols) experiences?", "tizzy_tom", ["cannabis", "spasticity", "pain"],
     "I've been offered Sativex after baclofen and tizanidine didn't do enough. How did it go for you?",
     [("pumplife_priya", "It helped my spasms at night, but the taste is awful and it made me a bit dizzy at first.", []),
      ("StiffLegsSam", "CBD oil alone did nothing for me. The prescribed spray was a different story.", [])]),
    ("Full bladder = leg spasms. Is that a thing?", "rollator_rob", ["full-bladder", "extensor-spasms"],
     "My legs shoot straight out when I need the loo. Took me ages to connect the two. Anyone else?",
     [("night_spasms_nia", "Yes! And a UTI makes everything ten times worse. Always worth checking.", []),
      ("mod_maria", "Both bladder issues and infections are common triggers; the Triggers section of the browse page has more threads.", [])]),
    ("Yoga from a chair — a routine that works with stiff legs", "stretchy_sue", ["yoga", "stretching"],
     "Sharing my 15-minute chair yoga routine:\n\n1. Seated cat-cow, 10 breaths\n2. Ankle circles, 10 each way\n"
     "3. Hamstring stretch with a strap\n4. Seated twist, both sides\n\nGo gently; stop if anything hurts.",
     [("newbie_noor", "Tried this tonight. My legs feel looser already.", []),
      ("aqua_anna", "Saving this, thank you.", [])]),
]

# Polls: (thread title, question, kind, options or treatment, [(voter, option positions)]).
POLLS = [
    ("Baclofen made me so sleepy. Does it wear off?", "Did oral baclofen help your spasticity?", "experience",
     "baclofen", [("StiffLegsSam", [1]), ("clonus_carla", [0]), ("tizzy_tom", [2]), ("pumplife_priya", [4]),
                  ("night_spasms_nia", [1]), ("rollator_rob", [3]), ("stretchy_sue", [1]), ("newbie_noor", [5])]),
    ("Heat makes my legs turn to concrete — cooling vest recommendations?", "What keeps you coolest in summer?",
     "multiple", ["Cooling vest", "Cool showers", "Fans or air conditioning", "Frozen water bottles"],
     [("coolvest_cat", [0, 1]), ("aqua_anna", [0]), ("rollator_rob", [3]), ("stretchy_sue", [1, 2])]),
]

# Experience reports: (member, treatment, effect, duration, "current" or "stopped:<reason>",
# symptoms, "side-effect:severity ...", dose). Oral baclofen, stretching and tizanidine reach the
# default STATS_MIN_MEMBERS of 10; the rest stay below it.
KEPT_OUT_OF_STATS = {("coolvest_cat", "baclofen")}
EXPERIENCES = [
    ("StiffLegsSam", "baclofen", "moderate", "lt_1m", "current", ["spasticity"], "drowsiness:moderate", "10 mg three times a day"),
    ("clonus_carla", "baclofen", "major", "1_5y", "current", ["clonus", "spasticity"], "drowsiness:mild", "20 mg, biggest dose at night"),
    ("tizzy_tom", "baclofen", "slight", "6_12m", "stopped:not_effective", ["spasticity"], "drowsiness:mild", None),
    ("pumplife_priya", "baclofen", "worse", "1_6m", "stopped:side_effects", ["spasticity", "flexor-spasms"], "drowsiness:severe confusion:moderate", None),
    ("night_spasms_nia", "baclofen", "moderate", "1_5y", "current", ["cramps", "sleep-disruption"], "", "10 mg at bedtime"),
    ("rollator_rob", "baclofen", "none", "1_6m", "stopped:not_effective", ["extensor-spasms"], "muscle-weakness:mild", None),
    ("stretchy_sue", "baclofen", "moderate", "gt_5y", "current", ["spasticity", "walking-balance"], "fatigue:mild", None),
    ("newbie_noor", "baclofen", "cant_tell", "lt_1m", "current", ["spasticity"], "", "5 mg twice a day, building up"),
    ("aqua_anna", "baclofen", "slight", "1_5y", "current", ["spasticity"], "dry-mouth:mild", None),
    ("coolvest_cat", "baclofen", "moderate", "6_12m", "current", ["spasticity"], "drowsiness:mild", None),
    ("claw_hand_kai", "baclofen", "slight", "1_6m", "stopped:side_effects", ["hand-spasticity"], "muscle-weakness:moderate", None),
    ("mod_maria", "baclofen", "major", "gt_5y", "current", ["spasticity", "flexor-spasms"], "", None),
    ("stretchy_sue", "stretching", "major", "gt_5y", "current", ["spasticity", "cramps"], "", "10 minutes every night"),
    ("night_spasms_nia", "stretching", "major", "6_12m", "current", ["cramps", "sleep-disruption"], "", "Calf stretch with a strap before bed"),
    ("StiffLegsSam", "stretching", "moderate", "1_5y", "current", ["spasticity"], "", None),
    ("newbie_noor", "stretching", "moderate", "lt_1m", "current", ["spasticity"], "", None),
    ("aqua_anna", "stretching", "moderate", "1_5y", "current", ["spasticity", "walking-balance"], "", None),
    ("rollator_rob", "stretching", "slight", "1_5y", "current", ["extensor-spasms"], "", None),
    ("clonus_carla", "stretching", "moderate", "gt_5y", "current", ["clonus"], "", None),
    ("claw_hand_kai", "stretching", "slight", "1_6m", "current", ["hand-spasticity"], "", "Finger stretches, three times a day"),
    ("coolvest_cat", "stretching", "moderate", "1_5y", "current", ["spasticity"], "", None),
    ("tizzy_tom", "stretching", "none", "1_6m", "stopped:other", ["spasticity"], "", None),
    ("mod_maria", "stretching", "slight", "gt_5y", "current", ["spasticity"], "", None),
    ("admin_ada", "stretching", "moderate", "1_5y", "current", ["walking-balance"], "", None),
    ("tizzy_tom", "tizanidine", "major", "1_5y", "current", ["cramps", "sleep-disruption"], "drowsiness:moderate dry-mouth:mild", "4 mg at bedtime"),
    ("clonus_carla", "tizanidine", "slight", "1_6m", "stopped:not_effective", ["clonus"], "dizziness:mild", None),
    ("night_spasms_nia", "tizanidine", "moderate", "6_12m", "current", ["cramps"], "drowsiness:mild", None),
    ("pumplife_priya", "tizanidine", "none", "1_6m", "stopped:not_effective", ["spasticity"], "dry-mouth:moderate", None),
    ("rollator_rob", "tizanidine", "moderate", "1_5y", "current", ["extensor-spasms"], "drowsiness:mild", "2 mg twice a day"),
    ("aqua_anna", "tizanidine", "worse", "lt_1m", "stopped:side_effects", ["spasticity"], "dizziness:severe", None),
    ("claw_hand_kai", "tizanidine", "moderate", "6_12m", "current", ["hand-spasticity"], "dry-mouth:mild", None),
    ("coolvest_cat", "tizanidine", "slight", "1_6m", "current", ["spasticity"], "", None),
    ("mod_maria", "tizanidine", "moderate", "1_5y", "current", ["flexor-spasms"], "drowsiness:mild", None),
    ("admin_ada", "tizanidine", "slight", "6_12m", "current", ["spasticity"], "fatigue:mild", None),
    ("stretchy_sue", "tizanidine", "none", "1_6m", "stopped:cost", ["spasticity"], "", None),
    ("pumplife_priya", "intrathecal-baclofen", "major", "1_5y", "current", ["spasticity", "flexor-spasms"], "", None),
    ("claw_hand_kai", "botulinum-toxin", "major", "6_12m", "current", ["hand-spasticity"], "muscle-weakness:mild", "Forearm injections every 12 weeks"),
    ("clonus_carla", "botulinum-toxin", "moderate", "1_5y", "current", ["clonus"], "", None),
    ("coolvest_cat", "cooling", "major", "1_5y", "current", ["spasticity", "fatigue"], "", "Phase-change vest on hot days"),
    ("aqua_anna", "aquatic-exercise", "major", "1_5y", "current", ["spasticity", "walking-balance"], "", "Warm pool class twice a week"),
    ("coolvest_cat", "aquatic-exercise", "worse", "lt_1m", "stopped:other", ["spasticity"], "fatigue:moderate", None),
    ("pumplife_priya", "cannabis", "moderate", "6_12m", "current", ["flexor-spasms", "sleep-disruption"], "dizziness:mild", None),
    ("StiffLegsSam", "cannabis", "none", "1_6m", "stopped:not_effective", ["spasticity"], "", None),
    ("stretchy_sue", "yoga", "moderate", "1_5y", "current", ["spasticity"], "", "15-minute chair routine"),
    ("rollator_rob", "orthotics", "major", "1_5y", "current", ["clonus", "walking-balance"], "", None),
]
