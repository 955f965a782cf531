"""Point-to-point utilisation approvals (点对点定向利用): registered for the matcher's exemption check."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.waste_codes import is_hw_code, normalize_hw_code

from ...errors import ValidationFailed
from ...models import Enterprise, PointToPointApprovalRow
from ..accounts import audit


def register_approval(session: Session, *, number: str, producer: str, receiver: str, waste_code: str,
                      valid_from: dt.date, valid_to: dt.date | None, actor: str, note: str = "") -> PointToPointApprovalRow:
    """Register a point-to-point utilisation approval (点对点定向利用) for the matcher."""
    errors: dict[str, list[str]] = {}
    waste_code = normalize_hw_code(waste_code)
    ents = {e.ref: e for e in session.scalars(select(Enterprise).where(Enterprise.ref.in_([producer, receiver])))}
    for field_name, ref in (("producer", producer), ("receiver", receiver)):
        if ref not in ents:
            errors[field_name] = [f"unknown enterprise ref {ref!r} (无此企业编号 {ref})"]
    if producer == receiver:
        errors.setdefault("receiver", []).append("must differ from the producer (接收单位须与产生单位不同)")
    if not is_hw_code(waste_code):
        errors["waste_code"] = [(f"{waste_code!r} is not an HW code of the form NNN-NNN-NN "
                                 f"({waste_code} 不是 NNN-NNN-NN 格式的危险废物代码)")]
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = ["must not be before valid_from (截止日期不得早于生效日期 valid_from)"]
    if session.scalar(select(PointToPointApprovalRow.id).where(PointToPointApprovalRow.number == number)):
        errors["number"] = [f"approval {number!r} is already registered (批复 {number} 已登记)"]
    if errors:
        raise ValidationFailed("the approval cannot be registered (无法登记该点对点定向利用批复)", errors)
    row = PointToPointApprovalRow(number=number, producer_id=ents[producer].id, receiver_id=ents[receiver].id,
                                  waste_code=waste_code, valid_from=valid_from, valid_to=valid_to, note=note)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="point_to_point_approval", entity_key=number,
                 changes={"producer": [None, producer], "receiver": [None, receiver],
                          "waste_code": [None, waste_code]})
    return row
