"""What the renderer needs to publish one document: its path, title, headers and dates."""

from __future__ import annotations

import datetime as dt

from pipeline.config import parse_formats
from pipeline.figures import format_date, format_date_time
from pipeline.names import slug
from pipeline.report.frames import Appendix


def w3c_date(stamp: str) -> str:
    """The generated-at stamp as a W3C date for document metadata (UTC when no zone given);
    blank when it is not a date."""
    try:
        when = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return ""
    if when.tzinfo is None:
        return when.isoformat(timespec="seconds") + "Z"
    return when.isoformat(timespec="seconds")


def document_spec(app: Appendix, formats: str, district: str = "", *,
                  summary: bool = False) -> dict[str, object]:
    """What :func:`pipeline.report.rendering.render_outputs` needs to publish one document.

    Carried in the cover's output metadata (``{"laa": spec}``): the document's name, its
    path in the report folder (no suffix), title, running header, footer, creation date
    (the generated-at stamp), author (the partnership) and formats. The appendix by
    default; the board summary with ``summary``; a district's pack with ``district``.
    """
    name = app.partnership.get("name", "")
    meeting = format_date(app.settings.meeting)
    scope = f" ({', '.join(app.theme_filter)})" if app.filtered else ""
    if district:
        document = "district-pack"
        path = f"districts/{slug(district)}/district-pack"
        title = f"{district} district pack, {app.settings.period}, {name}"
        header = f"{name} · {district} district pack · {app.settings.period}"
    elif summary:
        document = path = "summary"
        title = f"Board summary{scope}, {app.settings.period}, Board meeting {meeting}"
        header = f"{name} · Board summary {app.settings.period}{scope} · Board {meeting}"
    else:
        document = path = "appendix"
        title = (f"Self-assessment appendix{scope}, {app.settings.period}, Board meeting "
                 f"{meeting}")
        header = f"{name} · Self-assessment {app.settings.period}{scope} · Board {meeting}"
    return {"document": document, "path": path,
            "title": title, "running_header": header,
            "footer": (f"{app.partnership.get('agreement', '')} · data as of "
                       f"{format_date_time(app.data_as_of)}"),
            "created": w3c_date(app.settings.generated_at), "author": name,
            "formats": list(parse_formats(formats))}
