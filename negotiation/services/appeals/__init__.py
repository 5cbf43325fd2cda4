"""Appeals of recorded violations (申诉): filing, evidence, review, reads."""
