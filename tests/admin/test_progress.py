import io

from chalicelib.admin.progress import ProgressBar


def test_progress_prints_each_stage_and_its_end_once_off_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar("validation", 0, 100)
    bar("validation", 50, 100)  # within 10 s of the last line: not printed
    bar("validation", 100, 100)
    bar("validation", 100, 100)
    bar("écriture", 1000, None)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("validation") and "100.0 %" in lines[1]
    assert lines[2].startswith("écriture") and "1 000 éléments" in lines[2]
