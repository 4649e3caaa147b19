"""`zsbot import projects`: read an office's Excel / CSV 台账 (`sheet_file`), carry its rows out through the
use cases in time order (`run`), and write the copy of the sheet saying what became of each row (`report`).
The rules of what a row means are pure and live in `handlers/importing/`."""
