"""What the surfaces (`ui`, `api`, `cli`) call: releases loaded and admitted (`manager`, `loading`, `admission`),
requests checked (`validation`) and spoken (`synthesis`), two releases run side by side (`compare`,
`attribution`), runs measured and counted (`metrics`, `telemetry`), voices' languages (`languages`).

Services know releases only by name, through the manager; they draw nothing and speak no HTTP.
"""
