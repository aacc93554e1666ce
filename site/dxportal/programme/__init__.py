"""What the programme's sections mean: goals and their progress, training calls, outreach
materials, documents, charts and thumbnails. Pure functions of pages; callers pass the time."""
