"""The benchmark's phases: http (1 and 2), growth (3) and scale (4)."""
