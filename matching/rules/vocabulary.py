"""What the regulations name and the rules read: activity bits, collection scope, approval purposes."""
from __future__ import annotations

import numpy as np

from ..problem import ACTIVITIES, PURPOSES

DISPOSE = PURPOSES.index("dispose")
COLLECT_BIT = 1 << ACTIVITIES.index("collect")
UTILISE_BIT = 1 << ACTIVITIES.index("utilise")
DISPOSE_BIT = 1 << ACTIVITIES.index("dispose")

# 危险废物经营许可证管理办法 第三条: a collection licence covers only 机动车维修活动中产生的
# 废矿物油 and 居民日常生活中产生的废镉镍电池. In the 2021 list these are 900-214-08
# (车辆…维修过程中产生的废发动机油…等废润滑油) and 900-044-49 (废弃的镉镍电池、荧光粉和阴极
# 射线管 — the only code naming Cd-Ni batteries; it also covers phosphors and CRTs, so
# the offer must say it is batteries).
VEHICLE_OIL_CODE = "900-214-08"
CD_NI_BATTERY_CODE = "900-044-49"
COLLECTION_CODES: tuple[str, ...] = (VEHICLE_OIL_CODE, CD_NI_BATTERY_CODE)
VEHICLE_REPAIR_INDUSTRY = "811"  # GB/T 4754-2017 811 汽车、摩托车等修理与维护 (8111 汽车修理与维护)
# "Household" origin as the data can show it: the offer comes from the municipal
# household-waste system (7820 环境卫生管理, which runs 生活垃圾分类收集) or from resident
# services (division 80 居民服务业).
HOUSEHOLD_INDUSTRIES: tuple[str, ...] = ("7820", "80")
BATTERY_KEYWORDS: tuple[str, ...] = ("镉镍", "镍镉", "ni-cd", "nicd", "ni/cd", "nickel-cadmium",
                                     "nickel cadmium", "cadmium-nickel")

# Exemption no. 32 (点对点定向利用): "作为另外一家单位环境治理或工业原料生产的替代原料进行使用"
# — utilisation as a substitute raw material. Disposal is not utilisation, and burning
# for energy is not use as a raw material, so an approval lifts only these purposes.
APPROVAL_PURPOSES: tuple[str, ...] = ("reuse", "recycle", "co_process")
APPROVAL_PURPOSE_IDX = np.array([PURPOSES.index(p) for p in APPROVAL_PURPOSES], dtype=np.int64)
