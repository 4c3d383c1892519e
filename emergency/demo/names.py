"""Name pools of the demo's synthetic people (contacts, grid members, duty leaders, reporters)."""

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙朱胡郑汪程叶余方")
GIVEN_NAMES = (
    "伟",
    "军",
    "华",
    "明",
    "建国",
    "志强",
    "海",
    "平",
    "红",
    "丽",
    "春生",
    "国庆",
    "小兵",
    "文",
    "斌",
    "勇",
    "新华",
    "卫东",
    "建平",
    "金水",
)
