"""Who annotates which document: the pure planner and the hand-out that uses the database."""
