"""A production-like stack and the pupils who use it, for the benchmarks and the tests.

Shared by the benchmarks (`bench/`) and the reliability and production tests (`tests/`),
so neither imports the other:

- `harness.stack`: starts and supervises gunicorn, a Celery worker and beat, and nginx on
  loopback ports against the given PostgreSQL and Redis, with probes and restart policies
  like the production image's (`harness.settings` are the settings it runs with);
- `harness.pupils`: one pupil walking the real flow over HTTP (the load client);
- `harness.survey_day`: whole classes of pupils under a fault, reconciled against the
  database (`make faults`, `make faults-bench`, `make survey-day`).

Development only: nothing here is imported by the application.
"""
