# en-GB: what differs from en-US (the rest comes from en-US); en-AU and en-IN fall back to these.
