"""Name pools of the demo's synthetic people (contacts, grid members, duty leaders, reporters) and places."""

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

# Villages for addresses and names: first + second syllable, typical of northeast Jiangxi.
VILLAGE_FIRST = tuple("石高枫黄新龙塘杨周徐汪毛何桥山岭坑垄田溪洋茶竹樟上下大小东西南北")
VILLAGE_SECOND = (
    "门",
    "桥",
    "林",
    "坑",
    "坊",
    "塘",
    "潭",
    "背",
    "家",
    "头",
    "口",
    "源",
    "坞",
    "畈",
    "岭",
    "湾",
    "洲",
    "墩",
)
