"""Use cases: async verbs that check the rules and record facts through a unit of work."""
