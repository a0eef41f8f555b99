"""Block Kit for appointments: the request modal and the appointee modal."""

from __future__ import annotations

from handlers.i18n import t

REQUEST_MODAL, APPOINTEE_MODAL = "kkr_appoint", "kkr_appointee_modal"


def request_modal(database: str, lang: str) -> dict:
    seats = [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(1, 6)]
    chair = {"text": {"type": "plain_text", "text": t("modal.appoint_chair", lang)}, "value": "yes"}
    return _modal(REQUEST_MODAL, f"{t('modal.appoint_title', lang)} {database}"[:24], database, lang, [
        _input("disease_area", t("modal.appoint_disease_area", lang), {"type": "plain_text_input"}),
        _input("representatives", t("modal.appoint_representatives", lang),
               {"type": "static_select", "options": seats, "initial_option": seats[-1]}),
        _input("competencies", t("modal.appoint_competencies", lang),
               {"type": "plain_text_input", "multiline": True}, optional=True),
        _input("chair", " ", {"type": "checkboxes", "options": [chair]}, optional=True),
        _input("next_meeting", t("modal.appoint_next_meeting", lang), {"type": "datepicker"}, optional=True),
    ])


def appointee_modal(metadata: str, regions: list[tuple[str, str]], lang: str) -> dict:
    options = [{"text": {"type": "plain_text", "text": name}, "value": code} for code, name in regions]
    chair = {"text": {"type": "plain_text", "text": t("page.field.chair", lang)}, "value": "yes"}
    fields = [_input(name, t(f"page.field.{name}", lang), {"type": "plain_text_input"},
                     optional=name not in ("name", "email"))
              for name in ("name", "title", "workplace", "email", "phone")]
    return _modal(APPOINTEE_MODAL, t("modal.appointee_title", lang), metadata, lang, [
        *fields, _input("region", t("page.field.region", lang), {"type": "static_select", "options": options}),
        _input("chair", " ", {"type": "checkboxes", "options": [chair]}, optional=True)])


def _modal(callback_id: str, title: str, metadata: str, lang: str, blocks: list[dict]) -> dict:
    return {"type": "modal", "callback_id": callback_id, "private_metadata": metadata,
            "title": {"type": "plain_text", "text": title[:24]},
            "submit": {"type": "plain_text", "text": t("modal.submit", lang)},
            "close": {"type": "plain_text", "text": t("modal.cancel", lang)}, "blocks": blocks}


def _input(block_id: str, label: str, element: dict, optional: bool = False) -> dict:
    return {"type": "input", "block_id": block_id, "optional": optional,
            "label": {"type": "plain_text", "text": label}, "element": {**element, "action_id": "value"}}
