"""Background jobs: imports, exports and bulk accepts that run outside the request.

A request records a :class:`~annotator.models.Job` row and puts its id on a Huey queue (a SQLite
file in the instance folder by default, Redis with ``ANNOTATOR_JOBS_URL=redis://…``); the job
runner (``annotator jobs``, or a thread of ``annotator demo``) does the work in one transaction
and the page polls a small progress fragment. ``queue`` holds the queue and the live state,
``work`` what each kind of job does.
"""
