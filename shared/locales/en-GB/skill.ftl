# en-GB: what the skill says differently from en-US (en-AU and en-IN inherit it). A phone is a mobile.

skill-to-phone = your mobile ending in { $digits }
