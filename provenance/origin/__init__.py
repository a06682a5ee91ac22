"""Origin: families of copies, who copied whom, and the likely origin with its evidence."""
