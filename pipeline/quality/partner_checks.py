"""Who sent a row: a look-alike of a registered partner's name, or a partner that does not
lead the indicator (the returns suite's ``partner_imitates`` and ``partner_not_lead``)."""

from __future__ import annotations

import pandas as pd

from pipeline.inputs.partners import match_partners, partner_key, registered_partners
from pipeline.inputs.register import Register


def annotate_partners(rows: pd.DataFrame, register: Register) -> pd.DataFrame:
    """Returns with three columns saying whose rows they are.

    ``partner_imitates``: why the partner's name cannot be taken (a name that is no
    registered partner's but is written with look-alike or invisible characters so as to
    look like one; FAIL), else "". ``partner_leads``: the row's partner leads its
    indicator (its name matches the register's lead after normalisation; True where the
    register names no lead or the indicator is unknown). ``partner_not_lead``: why a row
    from another partner does not replace the lead's (ADVISORY: its value counts only
    where the lead sent none), else "" (also for rows already failing on their partner or
    template). :func:`pipeline.inputs.ingest.resolve_supersession` keeps the lead's row in
    force.
    """
    out = rows.copy()
    leads = register.indicators.set_index("indicator_id")["lead_org"].fillna("").astype(str)
    partners = registered_partners(leads)
    matched = match_partners(out["partner"], partners)
    imitated = matched["partner_imitated"] != ""
    out["partner_imitates"] = ""
    out.loc[imitated, "partner_imitates"] = [
        f"a partner named as the register names it: this name looks like {partner!r} but is "
        f"written with look-alike character(s) ({chars}); type the name again in plain "
        "letters" for partner, chars in zip(matched.loc[imitated, "partner_imitated"],
                                           matched.loc[imitated, "partner_lookalikes"],
                                           strict=True)]
    lead = out["indicator_id"].map(leads).fillna("")
    same = [partner_key(p) == partner_key(lead_org)
            for p, lead_org in zip(out["partner"].fillna(""), lead, strict=True)]
    out["partner_leads"] = pd.Series(same, index=out.index, dtype=bool) | (lead == "")
    template_failed = out.get("template_lead", pd.Series("", index=out.index)) != ""
    flagged = (~out["partner_leads"] & ~imitated & ~template_failed
               & (out["partner"].fillna("").str.strip() != ""))
    out["partner_not_lead"] = ""
    out.loc[flagged, "partner_not_lead"] = [
        f"the partner that leads indicator {indicator} ({lead_org}): a row from another "
        "partner never replaces the lead's value; it counts only where the lead sent none"
        for indicator, lead_org in zip(out.loc[flagged, "indicator_id"], lead[flagged],
                                       strict=True)]
    return out
