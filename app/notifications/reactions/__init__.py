"""\"Me too\", \"thank you\" and \"sending support\" on posts: counts for everyone, who reacted for nobody else."""
