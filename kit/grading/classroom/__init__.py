"""``kata grade-class``: grade a whole class with the single grader, and show where the class stands.

Each submission is graded by ``kata grade`` itself, run as a child process (the same isolation,
limits and kit as one learner gets); this package only finds the submissions
(:mod:`.submissions`), keeps a gradebook that survives interruption (:mod:`.gradebook`), turns
each grade into the file handed back (:mod:`.handback`), runs the class in parallel
(:mod:`.run`) and draws the class report (:mod:`.report`).
"""
