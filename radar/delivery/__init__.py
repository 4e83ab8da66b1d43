"""Reaching the team: the digest and release alerts, by email and chat webhook.

:mod:`radar.delivery.messages` builds what is sent (a multipart mail, a Slack Block Kit
or Teams Adaptive Card summary, radar's JSON); :mod:`radar.delivery.transport` sends
one message over SMTP or HTTP and says whether a failure is worth retrying;
:mod:`radar.delivery.outbox` queues every message in the database before sending it,
so a destination that is down loses nothing and later runs retry with backoff;
:mod:`radar.delivery.alerts` finds the releases worth an alert; and
:mod:`radar.delivery.cycle` is what a fetch run does after fetching (alerts, the
weekly digest, retries), never failing the run.
"""
