"""Block Kit for appointments: the request modal and the appointee modal."""

from __future__ import annotations

from bot.render.modals import input_block, modal
from handlers.i18n import t

REQUEST_MODAL, APPOINTEE_MODAL = "kkr_appoint", "kkr_appointee_modal"


def request_modal(database: str, lang: str) -> dict:
    seats = [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(1, 6)]
    chair = {"text": {"type": "plain_text", "text": t("modal.appoint_chair", lang)}, "value": "yes"}
    return modal(REQUEST_MODAL, f"{t('modal.appoint_title', lang)} {database}", [
        input_block("disease_area", t("modal.appoint_disease_area", lang), {"type": "plain_text_input"}),
        input_block("representatives", t("modal.appoint_representatives", lang),
                    {"type": "static_select", "options": seats, "initial_option": seats[-1]}),
        input_block("justification", t("modal.appoint_justification", lang),
                    {"type": "plain_text_input", "multiline": True}, optional=True),
        input_block("competencies", t("modal.appoint_competencies", lang),
                    {"type": "plain_text_input", "multiline": True}, optional=True),
        input_block("chair", " ", {"type": "checkboxes", "options": [chair]}, optional=True),
        input_block("next_meeting", t("modal.appoint_next_meeting", lang), {"type": "datepicker"}, optional=True),
    ], lang, metadata=database)


def appointee_modal(metadata: str, regions: list[tuple[str, str]], lang: str) -> dict:
    options = [{"text": {"type": "plain_text", "text": name}, "value": code} for code, name in regions]
    chair = {"text": {"type": "plain_text", "text": t("page.field.chair", lang)}, "value": "yes"}
    fields = [input_block(name, t(f"page.field.{name}", lang), {"type": "plain_text_input"},
                          optional=name not in ("name", "email"))
              for name in ("name", "title", "workplace", "email", "phone")]
    return modal(APPOINTEE_MODAL, t("modal.appointee_title", lang), [
        *fields, input_block("region", t("page.field.region", lang), {"type": "static_select", "options": options}),
        input_block("chair", " ", {"type": "checkboxes", "options": [chair]}, optional=True),
    ], lang, metadata=metadata)
