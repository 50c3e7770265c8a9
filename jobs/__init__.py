"""Background jobs: the queue (Huey, bound by the app factory), the job records that say how
each run went, the kinds of long work that run off the request, and the periodic routines.

See docs/job-queue.md.
"""
