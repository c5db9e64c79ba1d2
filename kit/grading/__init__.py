"""Grading a submission: the grader, its isolated child, and the results formats."""
