"""Radar versus reality: which packages the team's repositories really depend on
(manifests → dependencies, :mod:`radar.usage.scan`), matched against the technologies on
the radar (:mod:`radar.usage.report`). Kept light: importing the package loads no parser."""
