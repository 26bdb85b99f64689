"""Language-independent evidence shared by two product texts, and a scorer built on it.

Product descriptions in different languages still share their numbers, units,
model codes and brand names. This module is the one place that reads that
evidence (``extract`` and ``pair_features``); the lexical scorer turns it into
a score directly and the e5 scorer feeds it, with the embedding cosine, to a
small logistic model.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from alignment.scorers.base import Scorer

# Canonical dimension and factor for each unit spelling (lower case). Values are
# converted to the dimension's base unit, so 1.7 L and 1700 ml compare equal.
UNITS: dict[str, tuple[str, float]] = {}


def _units(dimension: str, factor: float, *spellings: str) -> None:
    for spelling in spellings:
        UNITS[spelling] = (dimension, factor)


_units("volume", 1.0, "ml", "millilitre", "millilitres", "milliliter", "milliliters", "毫升")
_units("volume", 10.0, "cl")
_units("volume", 1000.0, "l", "litre", "litres", "liter", "liters", "liter", "litro", "litros", "升")
_units("mass", 0.001, "mg", "毫克")
_units("mass", 1.0, "g", "gr", "gram", "grams", "gramm", "gramme", "grammes", "gramos", "克")
# A gem's weight (克拉, not 克 grams; "0,25 ct" in ``extract``). Not "carats" in words: "or 18 carats" is gold's
# fineness, as "18K" is.
_units("carat", 1.0, "克拉")
_units("mass", 1000.0, "kg", "kilo", "kilos", "kilogram", "kilogramm", "千克", "公斤")
_units("charge", 1.0, "mah", "毫安", "毫安时")
_units("charge", 1000.0, "ah")
_units("energy", 1.0, "wh")
_units("power", 1.0, "w", "watt", "watts", "瓦")
_units("power", 1000.0, "kw")
# "85–264 VAC", "24 VDC": a supply's input and output, written with the current's kind.
_units("voltage", 1.0, "v", "volt", "volts", "伏", "vac", "vdc")
_units("current", 1.0, "a", "amp", "amps", "安")
_units("frequency", 1.0, "hz", "赫兹")
_units("frequency", 1000.0, "khz")
_units("frequency", 1e6, "mhz")
_units("frequency", 1e9, "ghz")
_units("storage", 0.001, "mb")
_units("storage", 1.0, "gb")
_units("storage", 1000.0, "tb")
_units("length", 1.0, "mm", "毫米")
_units("length", 10.0, "cm", "厘米")
_units("length", 1000.0, "m", "米", "meter", "meters", "metre", "metres", "metro", "metros")
_units("inch", 1.0, "inch", "inches", '"', "″", "英寸", "寸", "zoll", "pouce", "pouces", "pulgadas", "pulgada")
_units("speed", 1.0, "rpm", "转/分", "u/min", "tr/min")
_units("torque", 1.0, "nm", "n·m", "n.m", "牛米")
_units("persons", 1.0, "persons", "person", "personas", "persona", "personnes", "personne", "personen", "人")
_units("percent", 1.0, "%")
_units("temperature", 1.0, "°c", "℃")
# An angle: a beam's, a countersink's, a swivel's ("36° Beam Angle" against "Abstrahlwinkel 120°").
_units("angle", 1.0, "°", "grad")
_units("resolution", 1.0, "k")
_units("resolution_p", 1.0, "p")
_units("count", 1.0, "pcs", "pc", "pieces", "piece", "pièces", "pièce", "piezas", "pieza", "stück", "stk",
       "片", "粒", "pack", "count", "ct", "件装", "个装", "只装", "片装", "支装", "瓶装", "袋装", "罐装",
       "unit", "units", "unidad", "unidades", "unité", "unités", "einheit", "einheiten", "teile")
# The yield of a cartridge or toner ("ca. 600 Seiten"), the length of a notebook.
_units("pages", 1.0, "pages", "page", "seiten", "páginas", "paginas", "页")
# A flow ("600 L/h", "1800L/h") is no volume: 600 L/h against a 200 L tank is no contradiction.
_units("flow", 1.0, "l/h", "l/std")
_units("flow", 60.0, "l/min")
_units("flow", 1000.0, "m³/h", "m3/h")
_units("pressure", 1.0, "bar", "bars")
# The treads of a ladder or step stool ("6 Stufen" against "7 Steps").
_units("steps", 1.0, "steps", "step", "stufen", "marches", "peldaños", "peldanos", "escalones")
# How many colours a set holds ("12 Farben à 10 g" against "24 colores"), in words: "3色温" is three
# colour temperatures, "2色可选" two colours to choose from.
_units("colours", 1.0, "colours", "colors", "couleurs", "colores", "farben")
# The pins of a plug or connector ("13-polig" against "7-Pin", "prise 13 broches").
_units("layers", 1.0, "层", "layers", "layer", "ply", "couches", "capas", "lagen", "lagig", "schichten", "plis")
_units("pins", 1.0, "pin", "pins", "polig", "pôles", "broches", "pines", "针")
_units("suction", 1.0, "pa")
_units("suction", 1000.0, "kpa")
_units("transfer rate", 1.0, "mb/s")
_units("transfer rate", 1000.0, "gb/s")
_units("bit rate", 1.0, "gbps", "gbit/s")
_units("megapixels", 1.0, "mp", "megapixel", "megapixels")
_units("megapixels", 0.01, "万像素")  # 400万像素 is 4 MP
# Imperial units keep dimensions of their own: listings round their conversions
# (13 lb is given as 6 kg), so they are compared only with each other.
_units("volume qt", 1.0, "qt", "quart", "quarts")
_units("mass lb", 1.0, "lb", "lbs")
_units("oz", 1.0, "oz", "fl oz")
_units("length ft", 1.0, "ft", "feet")
_units("pressure psi", 1.0, "psi")

# Colours in the five languages: two texts that name different colours describe
# different SKUs. Chinese only in forms of two characters or more ("白" alone is in "蛋白").
COLOURS = {
    "black": (
        "black noir noire noirs noires negro negra negros negras schwarz schwarze schwarzer schwarzes "
        "黑色 曜石黑 午夜黑 磨砂黑 亮黑"
    ),
    "white": (
        "white blanc blanche blancs blanches blanco blanca blancos blancas weiss weisse weisser weisses "
        "ivory ivoire marfil elfenbein "
        "白色 象牙白 珍珠白 米白 奶白 月光白 冰川白"
    ),
    "grey": (
        "grey gray gris grise grises grau graue grauer graues anthracite anthrazit antracita graphite graphit grafito "
        "灰色 深空灰 太空灰 浅灰 深灰 石墨灰 银灰"
    ),
    "blue": "blue bleu bleue bleus bleues azul azules blau blaue blauer blaues navy 蓝色 天蓝 深蓝 浅蓝 宝蓝 藏青 海军蓝 雾霾蓝 冰川蓝 湖蓝",
    "red": (
        "red rouge rouges rojo roja rojos rojas rot rote roter rotes burgundy bordeaux burdeos weinrot bordeauxrot "
        "红色 酒红 中国红 枣红"
    ),
    "green": (
        "green vert verte verts vertes verde verdes grun grune gruner grunes mint menta menthe minze minzgrun olive "
        "绿色 薄荷绿 墨绿 军绿 橄榄绿 草绿 抹茶绿 牛油果绿"
    ),
    "pink": "pink rose rosa 粉色 粉红色 樱花粉 樱粉 浅粉 玫瑰粉 蜜桃粉 裸粉 玫红",
    "brown": (
        "brown marron brun braun walnut nogal noyer nussbaum chatain chatains castano castana 棕色 咖啡色 胡桃木 胡桃色 栗色"
    ),
    "beige": "beige sandfarben 米色 沙色",
    # Light woods a finish is named after ("Eiche", "Oak Finish", 榉木): not walnut, a brown.
    "light wood": "oak oaks chene roble eiche eichen beech hetre buche acacia akazie 橡木 榉木 原木色",
    "terracotta": "terracotta terracota terrakotta 陶土色",
    "rust": "corten cortenstahl 锈色",
    "yellow": "yellow jaune amarillo amarilla gelb 黄色 柠檬黄 鹅黄 明黄",
    # Chrome is the silver of taps and fittings: "电镀银色" is what "cromada" says.
    "silver": (
        "silver argent argente argentee plata plateado plateada silber 银色 "
        "chrome chromee chrom verchromt cromado cromada 镀铬"
    ),
    "gold": "gold golden dore doree dores dorees dorado dorada goldfarben 金色 玫瑰金",
    # Champagne is a finish of its own ("Champagne" against "Roségold"), 香槟金 and "or champagne" too.
    "champagne": "champagne champan champagner 香槟色 香槟金",
    "copper": "copper cuivre cuivree cobre kupfer kupferfarben 铜色 紫铜色",
    "purple": "purple violet violeta morado morada lila lavender lavande lavanda lavendel 紫色 浅紫 深紫 薰衣草紫 香芋紫",
    "transparent": "transparent transparents transparente transparentes clear incolore incolores 透明",
    # Smoked lenses and visors ("lente ahumada", "verres fumés", "rauchgrau getönt", 烟灰色).
    "smoke": "smoke smoked fumee fumees ahumada ahumado ahumadas rauchgrau 烟灰色",
    "nickel": "nickel niquel 镍色 拉丝镍",
    # Assorted colours are a colour of their own: a pack "de colores" is no black pack. Not 彩色,
    # which is also a colour printer or screen.
    "multicolour": (
        "multicolor multicolour multicolore multicolores multicoloured bunt mehrfarbig rainbow regenbogen arcoiris "
        "多色 彩虹色"
    ),
    "orange": "orange naranja 橙色 橘色",
    "turquoise": "turquoise turquesa turkis teal petrol 青色 石油蓝 孔雀蓝 湖蓝",
    "khaki": "khaki kaki caqui 卡其色",
    "taupe": "taupe 灰褐色",
    "camouflage": "camouflage camo camuflaje tarnmuster 迷彩",
    # Amber glass and resin ("琥珀色" against "smaragdgrün"); last, so the other colours keep their numbers.
    "amber": "amber ambre ambar bernstein bernsteinfarben 琥珀色",
}
# Chinese shades not in the list: a run of two to four characters that ends in a
# colour ("星夜黑", "樱桃红 "), alone between other scripts, spaces or punctuation.
# Not "白鹅绒" (white goose down: the colour is inside a word), not the endings
# below, which name no colour (protein, whitening, trendy).
_CJK_SHADE = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{1,3}([黑白红蓝绿灰粉紫黄棕橙])色?(?![\u4e00-\u9fff])")
_CJK_SHADE_COLOURS = {
    "黑": "black", "白": "white", "红": "red", "蓝": "blue", "绿": "green", "灰": "grey", "粉": "pink",
    "紫": "purple", "黄": "yellow", "棕": "brown", "橙": "orange",
}
_CJK_PAIR_OF_COLOURS = re.compile(r"([黑白红蓝绿灰粉紫黄棕橙])([黑白红蓝绿灰粉紫黄棕橙])色")
_NOT_CJK_SHADES = ("蛋白", "美白", "网红", "漂白", "增白", "走红", "爆红")
# German writes shades as one word ("salbeigrün", "dunkelblau", "Anthrazitgrau"):
# a shade prefix, then the colour. Matched on accent-folded lower case.
# Black chrome is a black ("Schwarz-Chrom", "noir chromé"), not the silver of chrome; a
# stainless-steel look is a silver ("Edelstahl-Optik", "aspect inox").
_CHROME_WORDS = frozenset("chrome chromee chrom verchromt cromado cromada".split())
_BLACK_CHROME = re.compile(
    r"\b(?:black|schwarz|noir|negro)[- ]?(?:chrome|chrom|chromee|cromo|cromado)\b|\bcromo negro\b"
)
_ROSE_GOLD = re.compile(r"\b(?:rose[- ]?gold|or rose|oro rosa|rosegold|rose-gold)\b")
# Sand as a colour, not the sand of a filter or a pit: "color arena", "couleur sable", "Sand-coloured".
_SAND = re.compile(r"\b(?:colou?r(?:ed)? sand|sand[- ]colou?red|colou?r arena|coloris sable|couleur sable)\b")
_ASSORTED_COLOURS = re.compile(
    r"\bde colores\b|\b(?:assorted|mixed) colou?rs\b|\bcolou?rs? (?:assorted|mixed)\b|\bcolores (?:surtidos|variados)\b"
    r"|\b(?:couleurs|coloris) (?:assortie?s|variees)\b|\b(?:farbig|farblich) sortiert\b|\bsortierte farben\b"
    r"|混色|随机色|颜色随机"
)
_STAINLESS_LOOK = re.compile(
    r"\bedelstahl-?(?:optik|look)\b|\bstainless(?:[- ]steel)? (?:look|finish)\b|\baspect inox\b|\blook (?:acero|inox)\b"
)
_GERMAN_SHADE = re.compile(
    r"(?<![a-z])(?:hell|dunkel|mint|salbei|schiefer|stein|nacht|himmel|eis|royal|marine|petrol|oliv|tannen|wald"
    r"|flaschen|pastell|zart|alt|rose|silber|tief|matt|signal|smaragd|kobalt|anthrazit|taupe|kirsch|wein|bordeaux"
    r"|titan|space|sand|creme|perl|polar|graphit|limetten|zitronen|apfel|moos|gras|jade|korall|lachs|puder|aqua"
    r"|ozean|schoko|mokka|kaffee|cognac|karamell|senf|ocker|pflaumen|beeren|himbeer|asch|staub|nebel|beton"
    r"|neon|leucht)"
    r"-?(grun|blau|rot|grau|schwarz|weiss|gelb|rosa|braun|lila|beige|orange|pink|turkis)(?![a-z])"
    # Inflected German colours: "mit rotem Laser", "in grünen Tönen".
    r"|(?<![a-z])(grun|blau|rot|grau|schwarz|weiss|gelb|braun)(?:em|en)(?![a-z])"
)
_COLOUR_OF = {word: i for i, (_, words) in enumerate(COLOURS.items()) for word in words.split()}
_COLOUR_INDEX = {name: i for i, name in enumerate(COLOURS)}
# Words that name a variant of a product line in every language: "iPhone 15 Pro
# Max", "Galaxy S24 Ultra", "VoltEdge Duo".
VARIANT_WORDS = frozenset("pro max ultra plus mini lite air duo slim xl xxl".split())

# "a pair of", "paire d'haltères", "Paar", "一对": two of the item.
_PAIR = re.compile(
    r"\b(?:pair of|(?:a|one|1) pair|paire d[e'’]|(?:la|une|1) paire|un par de|pareja|(?<![2-9] )(?<![2-9])paar)\b"
    r"|\(pair\)|一对|一双|(?<![0-9])1[双对]装",
    re.IGNORECASE,
)
# One unit where a line also sells pairs or packs: "vendu à l'unité", "sold individually", 单只装.
_SOLD_SINGLY = re.compile(
    r"\b(?:sold (?:individually|singly|as a single unit)|vendue? a l'unite|se vende por unidad|einzeln verkauft)\b"
    r"|单只装|单个装|单支装"
)
# "2 Paar", "3 pairs", "lot de 3 paires", "3双装": that many pairs, twice as many of the item.
_PAIRS = re.compile(
    r"(?<![\w.,-])([2-9]|1[0-2]) ?(?:pairs|paar|paires|pares)(?![a-z])|(?<![\w.,-])([2-9]|1[0-2])[双对]装", re.IGNORECASE
)
# "Hearing Amplifiers – Pair, Behind-the-Ear": a pair on its own in a title (not "pair with your phone").
_PAIR_ALONE = re.compile(r"(?:^|[-–,(|/] ?)(?:pair|paire)(?=$|[ ,)|/])(?! (?:with|to|up|your|it)\b)")
# "425g×2支": how many units, after a Chinese multiplication sign.
_CJK_TIMES = re.compile(r"[×x] ?([2-9]|1[0-2]) ?[支只个瓶袋盒罐片条件包台套把]")
# "双人帐篷" (two-person tent), "单人床": a Chinese numeral before 人.
_CJK_PERSONS = re.compile(r"([单双两三四五六])人")
_CJK_NUMERALS = {"单": 1.0, "双": 2.0, "两": 2.0, "三": 3.0, "四": 4.0, "五": 5.0, "六": 6.0}
# "单只装" (sold singly), "两条装", "2条装" (a pack of two): a numeral, a measure word, 装.
_CJK_PACK = re.compile(r"(?<![0-9])([2-9单双两三四五六])[只个支瓶袋罐片条件盒块台套把组卷包张]装")
# A word that negates or excludes in the four Latin-script languages ("ohne Thermostat",
# "sans ISOFIX", "PFAS-free"), and the fixed phrases that use one without excluding anything.
_EXCLUDING = "without|ohne|sans|sin|kein|keine|keinen"  # words that exclude what follows them
_NEGATION = re.compile(rf"\b(?:{_EXCLUDING}|non|no)\b|\w-?(?:free|frei)\b", re.IGNORECASE)
_NOT_NEGATION = re.compile(
    r"\b(?:sans fil|sin (?:cables?|hilos?)|non[- ](?:stick|slip|woven|toxic)|no[- ](?:slip|frills))\b", re.IGNORECASE
)

# A number: "20 000" / "20,000" (thousands groups) or "1,7" / "1.7" (decimals).
# After one digit, a plain space groups thousands only before a space or a sign, not a glued
# unit: "Vista 3 256GB" is a Vista 3 with 256 GB, "20 000mAh" is still 20,000 mAh. Chinese never
# groups digits with a space: in "可装2卷135或1卷120 500ml", 120 and 500 ml are two numbers.
_CJK_CHARACTER = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
_PLAIN_GROUPS = rf"(?<!{_CJK_CHARACTER})"
_NUMBER = (
    rf"\d{{1,3}}(?:[\u00a0\u202f]\d{{3}})+(?!\d)|{_PLAIN_GROUPS}\d{{2,3}}(?: \d{{3}})+(?!\d)"
    rf"|{_PLAIN_GROUPS}\d(?: \d{{3}})+(?![\dA-Za-z])|\d+(?:[.,]\d+)?"
)
_UNIT_ALTERNATION = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
# Not inside a model code: "MB-7731M" is no 7731 m.
_QUANTITY = re.compile(
    rf"(?<![\dA-Za-z])(?<!\d[.,])(?<![A-Za-z0-9]-)({_NUMBER})[\s-]?({_UNIT_ALTERNATION})"
    r"(?![a-zà-ÿ²³]|[23](?![\dA-Za-z]))",  # "35 mm²" (NFKC: "mm2") is a cable's section: no length
    re.IGNORECASE,
)
# "135x200 cm", "80 x 80 cm", "30×20×10 mm": each side is a length in that unit.
_SIZES = re.compile(
    rf"(?<![\dA-Za-z])(\d+(?:[.,]\d+)?)\s?[x×*]\s?(\d+(?:[.,]\d+)?)(?:\s?[x×*]\s?(\d+(?:[.,]\d+)?))?\s?"
    rf"(mm|cm|m|inch|\"|毫米|厘米|米)(?![a-zà-ÿ])",
    re.IGNORECASE,
)
# "15–36 kg", "3,5-20 kg", "45~100℃": a range is its own pair of quantities.
_RANGE = re.compile(
    rf"(?<![\dA-Za-z])(?<!\d[.,])(?<![A-Za-z0-9]-)({_NUMBER})\s?(?:[-–~至到]|to|bis|à|a)\s?({_NUMBER})\s?({_UNIT_ALTERNATION})(?![a-zà-ÿ])",
    re.IGNORECASE,
)
# "SPF50+", "SPF 30", "IP68", "Qi2": a label followed by a number.
_LABELLED = re.compile(r"\b(spf|ip|ipx|usb|wi-?fi|pm|ece r)\s?(\d+(?:[.,]\d+)?)", re.IGNORECASE)
# A size a shoe or garment is sold in: "pointure 42", "talla 43", "EU 39", "Größe M", "size 4"
# (nappies), "42码", "尺码XL". Not "Größe 60 x 120 cm", "screen size 27 inch" or a range of
# sizes ("Size 30-33", "30-33码", an adjustable skate).
_SIZE_VALUE = r"\d{1,3}(?:[.,]5)?|xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl|4xl"
_GARMENT_SIZE = re.compile(
    rf"\b(?:size|taille|pointure|talla|grosse|gr\.)(?:\s?:\s?|\s|(?<=\.))({_SIZE_VALUE})"
    rf"(?![\w/]|[.,]\d|\s?(?:[x×*]|{_UNIT_ALTERNATION})(?![a-z])|\s?[-–~]\s?\d)"
    rf"|\beu ?(\d\d(?:[.,]5)?)(?![\w/]|[.,]\d|\s?(?:[x×*]|{_UNIT_ALTERNATION})(?![a-z])|\s?[-–~]\s?\d)"  # EU 39
    rf"|尺码\s?[:：]?\s?({_SIZE_VALUE})(?![\w./]|\s?[-–~]\s?\d)"
    rf"|(?<![\w./])(?<!\d-)(?<!\d–)(?<!\d~)({_SIZE_VALUE})\s?码",
    re.IGNORECASE,
)
# A range of letter sizes, "XS-S", "S/M", "L–XL": both ends.
_LETTER_RANGE = re.compile(
    r"(?<![\w./-])(xxs|xs|s|m|l|xl|xxl|xxxl|2xl|3xl) ?[-/–] ?(xs|s|m|l|xl|xxl|xxxl|2xl|3xl|4xl)(?![a-z0-9/])"
)
# Sizes said in words: "大号" (large), "小号"; "Small (S)", "Grande (L)".
_CJK_SIZE = re.compile(r"(特大|加大|超大|大|中|小)号")
_CJK_SIZES = {"特大": "xl", "加大": "xl", "超大": "xl", "大": "l", "中": "m", "小": "s"}
_NAMED_LETTER_SIZE = re.compile(
    r"\b(?:small|medium|large|petite?|moyenne?|grande?|klein|mittel|gross|pequen[oa]|median[oa])\s?"
    r"\((xs|s|m|l|xl|xxl)\)"
)
# A size label just before a range: "talla M/L" is sold for both sizes, as "S, M/L" is.
_SIZE_LABEL = re.compile(r"\b(?:size|taille|talla|grosse|gr\.)\s?:?\s?$")
_LETTER_SIZES = {"xxs": 1, "xs": 2, "s": 3, "m": 4, "l": 5, "xl": 6, "xxl": 7, "2xl": 7, "xxxl": 8, "3xl": 8, "4xl": 9}
# "pack of 6", "lot de 6", "paquete de 6", "Pack 2", "6er-Pack", "Twin Pack".
_PACK = re.compile(
    r"(?<![a-z])(?:pack of|set of|lot de|lote de|paquete de|pack de|set de|juego de|packung mit|pack)"
    r"\s(\d+)\b(?![.,]\d)"
    r"(?!\s(?:mois|month|months|mes|meses|monat|monate|weeks?|semaines?|days?|jours?|tage))"  # "pack 1 mois"
    r"|(?<![\w.])(\d+)er\b|(?<![\w.,])(\d+)[ -]pack\b|\b(twin|double|dual|triple) pack\b"
    r"|\b(doppel|zweier|dreier)(?:pack|packung|set)\b"
    r"|\b(?:lot|pack|set|juego|paquete) de (deux|trois|dos|tres)\b|\b(?:pack|lote|paquete) (doble|triple)\b",
    re.IGNORECASE,
)
# The length of a product's cable, which a line sells in several: "5m Semi-Rigid Cable", "cable length
# 10 m", "Kabellänge: 3 m", "câble de 18 m", "线长1.5米" (in metres).
_CABLE_LENGTH = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[.,]\d)?) ?(?:m|metre|meter|metros?|metres?)\b[ -](?:[a-z-]+ ){0,2}?(?:cable|kabel|cord)\b"
    r"|\b(?:cable|kabel|cord)(?: length| lange)? ?[:：]? ?(\d{1,3}(?:[.,]\d)?) ?(?:m|metre|meter|metros?|metres?)\b"
    r"|\b(?:kabellange|longueur (?:du |de )?cable|longitud (?:del )?cable|cable de|cable of)"
    r" ?[:：]? ?(\d{1,3}(?:[.,]\d)?) ?m\b|(?:线长|线缆长度|电缆长度)[:：]?(\d{1,3}(?:[.,]\d)?) ?(?:m|米)"
)
# How many of the first thing a box holds, the product itself: "包装清单：刮泥垫×3",
# "Lieferumfang: 2x LED-Rückleuchte", "Lieferumfang: 1 Paar".
_CONTENTS_COUNT = re.compile(
    r"(?:包装清单|清单|包装内容)\s?[:：]\s?[^×xX\d，,、;；\n]{1,12}?\s?[×xX*]\s?(\d{1,2})(?![\d.,])"
    r"|\b(?:Lieferumfang|In the box|Package contents|Contents|Contenu|Contenido|Inhalt|Scope of delivery|"
    r"Contenu du colis|Contenido del paquete|Packungsinhalt)\s?[:：]\s?(\d{1,2}) ?[x×]? ?(?=[^\W\d])",
    re.IGNORECASE,
)
_MORE_CONTENTS = re.compile(r"[,;、+&，]|[×*]\s?\d|\b(?:und|and|et|y|e|mit|with|avec|con)\b")
# How many pieces a German set holds: "20-teilig", "80-tlg." (a set's size, not a pack of sets).
_PIECES = re.compile(r"(?<![\w.,])(\d{1,3})[- ]?(?:teilig|tlg)(?![a-z])", re.IGNORECASE)
MAX_PACK_OF_A_SET = 4  # a set of up to four pieces may be as many units ("juego de 2 molinillos")
_CJK_PIECES = re.compile(r"(\d{1,3})件套")  # "12件套", a set of twelve pieces
_SET_WORD = re.compile(r"(?<![a-z])(?:set|kit|coffret|juego|estuche)(?![a-z])|套装")
_PIECES_OF_A_SET = re.compile(r"(?<![\w.,])(\d{1,3}) ?(?:pieces|piece|pcs|pc|piezas|pieza|teile)(?![a-z])")
_PACK_WORDS = {
    "twin": 2, "double": 2, "dual": 2, "doppel": 2, "zweier": 2, "deux": 2, "dos": 2, "doble": 2,
    "triple": 3, "dreier": 3, "trois": 3, "tres": 3,
}
# "2 × 15 W", "3x 100ml": how many of the item the pack holds.
_MULTIPLE = re.compile(
    r"(?<![\dA-Za-z.,])(\d{1,2})\s?[x×]\s?(?=(\d+(?:[.,]\d+)?)\s?(w|mah|ml|l|g|kg|v)(?![a-z]))", re.IGNORECASE
)
# Binoculars and scopes: magnification x objective ("8x25", "10x42", "20-60x80"), not a
# pack ("2x15 W", "3 x 100 ml") or a size ("60 x 120 cm").
_OPTICS = re.compile(
    rf"(?<![\dA-Za-z.,-])(\d{{1,2}}(?:[.,]\d)?(?:-\d{{1,3}})?)\s?[x×]\s?(\d{{2,3}})(?![\d.,x×*])"
    rf"(?!\s?(?:{_UNIT_ALTERNATION})(?![a-zà-ÿ]))(?!\s?[x×]\s?\d)",  # not "60 x 120 x 10 cm"
    re.IGNORECASE,
)
# A resolution in pixels, with or without the word: "2064 x 2208 por ojo", "2448×2448",
# "1920x1080". Not a size ("600 x 900 mm") or a pack ("2 x 100 ml").
_PIXELS = re.compile(
    rf"(?<![\dA-Za-z.,])(\d{{3,4}})\s?[x×*]\s?(\d{{3,4}})(?![\d.,x×*])(?!\s?(?:{_UNIT_ALTERNATION})(?![a-zà-ÿ]))",
    re.IGNORECASE,
)
# A screen's or video's lines, however a listing names them: "Full HD", "1080p", "1920 x 1080",
# "4K" and "3840×2160" (2160), "2K" and "QHD" (1440: what 2K monitors and dash cams are).
_VIDEO_LINES = {"full hd": 1080, "fhd": 1080, "uhd": 2160, "qhd": 1440, "wqhd": 1440}
_NAMED_RESOLUTION = re.compile(r"\b(full hd|fhd|uhd|w?qhd)\b")
_LINES_OF_K = {2.0: 1440.0, 4.0: 2160.0, 8.0: 4320.0}
_STANDARD_LINES = frozenset({720.0, 1080.0, 1440.0, 2160.0, 4320.0})
# A bicycle wheel's size, by the rim's bead seat in mm (ETRTO): "29 x 2.40" and "61-622", "27,5 x 2,40"
# and "650B" (584), "700x28C" (622), "26 x 1.95" (559).
_WHEEL = re.compile(
    r"(?<![\d.,])(29|27[.,]5|26|24|20)\s?(?:\"|″|''|in|zoll|er|寸)?\s?[x×]\s?[12][.,]\d{1,3}(?![\d])"
    r"|(?<![\d.,])\d{2}\s?-\s?(622|584|559|507|406)(?![\d])|(?<![\d.,])(700)\s?[x×]\s?\d{2}\s?c\b|\b(650)\s?b\b",
    re.IGNORECASE,
)
_BEAD_SEATS = {"29": 622.0, "27.5": 584.0, "26": 559.0, "24": 507.0, "20": 406.0, "700": 622.0, "650": 584.0}
# A model's scale: "1:87", "escala 1:160", and the gauges that name one ("H0", "N Scale").
_SCALE = re.compile(
    r"(?<![\d.,:])1 ?: ?(\d{2,3})(?![\d.,:])|\b(h0|ho|n)[ -](?:scale|gauge)\b|\b(?:spur|escala|echelle) (h0|ho|n)\b",
    re.IGNORECASE,
)
_GAUGE_SCALES = {"h0": 87.0, "ho": 87.0, "n": 160.0}
# A lens's strength: "+2.00", "+2,50 dioptrías", "+200度" (in hundredths), "Stärke +1,5 dpt".
_DIOPTRES = re.compile(
    r"(?<![\w.,+])\+\s?(\d(?:[.,]\d{1,2})?)\s?(?:dpt|dioptr\w*|度)|(?<![\w.,+])\+\s?(\d[.,]\d{2})(?!\d|\s?[\w%€$°×])"
    r"|(?<![\w.,+])\+\s?([1-6][0-9]0)度",
    re.IGNORECASE,
)
# French writes bytes as octets: "2 To", "512 Go", "7000 Mo/s" are 2 TB, 512 GB, 7000 MB/s.
_OCTETS = re.compile(r"(\d\s?[KMGT])o(?=\b|/)")
# A tyre size ("265/70R17", "205/55 R16 94T"): width, aspect ratio, rim, then the
# load index and speed rating when given.
_TYRE = re.compile(
    r"(?<![\dA-Za-z])(\d{3})\s?/\s?(\d{2})\s?Z?R\s?F?\s?(\d{2}(?:[.,]5)?)(?![\d])"
    r"(?:\s?(\d{2,3})(?:/\d{2,3})?\s?([A-Z])\b)?"
)
# Names of standards and specifications, not of products: "PCIe4.0", "USB3.0", "Gen4",
# "DVB-T2/C/S2", "GDDR6X"; and "3-in-1", "3 en 1".
_SPECIFICATION_CODE = re.compile(r"(?:USB|PCIE|DDR|LPDDR|GDDR|GEN|WIFI|HDMI|OBD)\d.*|DVB.+|\d+(?:IN|EN|EM)\d+")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*")
_NUMBERED_WORDS = re.compile(r"\d+(?:[.,]\d+)?(?:-[A-Za-z]{3,})+")
# A model code written with spaces, as German tool listings do: "GH 36-40" (GH36-40), "TOS-125 E"
# (TOS-125E). Read with a hyphen for the space (same length, so the quantities' spans still hold);
# not "EU 38-42", "USB 3.0", "IP 65" or "CR 2032", nor a unit or size after the number ("BH-20 M").
_SPACED_PREFIX = re.compile(
    r"(?<![\w-])(?!(?:EU|UK|US|USA|CH|DC|AC|USB|LED|LCD|OLED|HD|UHD|FHD|QHD|IP|IPX|SPF|PM|CR|AA|AAA|DIN|ISO|EN|CE"
    r"|RAL|GPS|LTE|PD|NFC|BT|TV|PC|MK|NO|NR|DN|SAE|ATX|ITX|HDMI|DDR|PCIE|GEN|OBD|DVB|DAB|WPA|RJ)\b)([A-Z]{2,4}) (?=\d)"
)
# A letter written after a code's space, "TOS-125 E", "PC-8 R": the same model as "TOS-125E"
# (``Evidence.aliases``), but not a unit, a size or a connector (V, W, A, L, M, S, X, C...).
_SPACED_SUFFIX = re.compile(r" (?![VWALMSXKGHBTCP](?![\w-]))([A-Z])(?![\w-])")
# A mark or generation after a model, "MkII", "Mk 2", "MK II": no part of its code ("SQ-22 MkII" is
# model SQ-22, mark 2); ``_designation_tokens`` reads the mark as its number ("Golf Mk8" is Golf 8).
_ROMAN_MARK = re.compile(r"(?<![A-Za-z])[ -]?mk\.? ?(iii|ii|iv|[1-9])(?![\w])", re.IGNORECASE)
_MARKS = {"ii": "2", "iii": "3", "iv": "4"}
# A Roman number after a name: "Golf VIII", "Leon IV" (not I, V or X alone, which say other things).
_ROMANS = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
_ROMAN_NUMBER = re.compile(r"(?<=[a-z] )(ii|iii|iv|vi|vii|viii|ix)(?![a-z0-9])")
_SHOP_BRACKETS = str.maketrans("【】", "  ")
# Any one to three capitals after a code's space ("WD 30 S", "CB-266 C", "VX-1500 LCD"): the same model
# when the other text glues them on, but no other model when it does not (S and C are also sizes and
# USB-C; "KZ-EFB60 EFB" names the battery's kind).
_LOOSE_SUFFIX = re.compile(r" (?!(?:EU|UK|US|TV|PC|HD|OK|IN|CE|BT|PD|DC|AC|IP|MK)(?![\w-]))([A-Z]{1,3})(?![\w-])")
_GLUED_WORDS = re.compile(r"(?<=[A-Za-z0-9])(?:-[A-Za-z]{3,})+$")
_LATIN_WORD = re.compile(r"[a-z]+(?:['&][a-z]+)*")
_ANY_NUMBER = re.compile(_NUMBER)
_CJK = re.compile(_CJK_CHARACTER)

# Words too common to say anything about which product a text describes.
STOPWORDS = frozenset(
    """
    a an and the of for with in on to by from at or as is are be this that it its your you our
    new set pack size color colour black white blue red green grey gray pink silver gold
    et de la le les des du un une pour avec en sur au aux par ou est
    y el los las del para con por una uno sin
    und der die das den dem des mit für fur von zu im in ein eine einer aus oder ist
    mm cm ml kg mah pcs
    """.split()
)


@functools.lru_cache(maxsize=20_000)
def _fold(text: str) -> str:
    """Lower case without accents, with full-width forms made ASCII (NFKC). Cached per text: every
    reading of a pair folds both texts again."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# Two colours a product comes in together, "schwarz/grau", "Black & Red", "黑红色": a line that sells
# black/grey sells black/red too, so two combinations that differ are two variants, though both
# name black. A combination is a dimension of its own, compared only with combinations.
_COLOUR_PAIR = re.compile(r"(?<![\w-])([a-z]+) ?(?:/|&|-| and | und | et | y ) ?([a-z]+)(?![\w-])")

# Shades named in two words, one colour in a combination ("blanc/bleu canard" is white and teal).
_COLOUR_PHRASES = {
    "bleu canard": "petrol", "bleu marine": "navy", "bleu nuit": "navy", "gris anthracite": "anthracite",
}
_COLOUR_PHRASE = re.compile("|".join(_COLOUR_PHRASES))


def _colour_combination(a: int, b: int) -> tuple[str, float]:
    return ("colour combination", float(min(a, b) * 100 + max(a, b)))


def parse_number(raw: str) -> float:
    """"1,7" -> 1.7, "20 000" -> 20000, "1.500" -> 1500 (a group of three digits)."""
    compact = re.sub(r"[  \u202f]", "", raw)
    match = re.fullmatch(r"(\d+)[.,](\d+)", compact)
    if match and len(match.group(2)) == 3 and match.group(1) != "0":
        return float(match.group(1) + match.group(2))
    return float(compact.replace(",", "."))


@dataclass(frozen=True)
class Evidence:
    """What one text says that survives translation."""

    quantities: frozenset[tuple[str, float]]  # (dimension, value in base unit)
    codes: frozenset[str]  # model codes, upper case, separators removed
    words: frozenset[str]  # Latin-script words (brands, names), stop words removed
    numbers: frozenset[float]  # every number, with or without a unit
    variants: frozenset[str] = frozenset()  # product-line variant words: pro, max, ultra, mini...
    aliases: frozenset[str] = frozenset()  # codes with the suffix written after a space: "TOS-125 E" is TOS125E

    @property
    def dimensions(self) -> frozenset[str]:
        return frozenset(dimension for dimension, _ in self.quantities)


@functools.lru_cache(maxsize=20_000)
def extract(text: str) -> Evidence:
    """Read quantities, model codes and Latin words from a text (cached per text)."""
    normal = _OCTETS.sub(r"\1B", unicodedata.normalize("NFKC", text))
    quantities: set[tuple[str, float]] = set()
    unit_spans: list[tuple[int, int]] = []
    for match in _OPTICS.finditer(normal):
        power, objective = match.groups()
        quantities.add(("magnification", float(re.sub(r"\D", "", power)) * 1000 + float(objective)))
        unit_spans.append(match.span())
    for match in _TYRE.finditer(normal):
        width, ratio, rim, load, speed = match.groups()
        quantities.add(("tyre size", float(width) * 1e6 + float(ratio) * 1e3 + parse_number(rim) * 10))
        if load:
            quantities.add(("tyre load index", float(load)))
            quantities.add(("tyre speed rating", float(ord(speed))))
        unit_spans.append(match.span())
    for match in _RANGE.finditer(normal):
        if parse_number(match.group(1)) > parse_number(match.group(2)):
            continue  # a range ascends: "spine 500 – 28 pouces" is a number, a dash and a length
        dimension, factor = UNITS[match.group(3).lower()]
        quantities.add((f"{dimension} from", round(parse_number(match.group(1)) * factor, 6)))
        quantities.add((f"{dimension} to", round(parse_number(match.group(2)) * factor, 6)))
        unit_spans.append(match.span())
    for match in _QUANTITY.finditer(normal):
        if any(start < match.end() and match.start() < end for start, end in unit_spans):
            continue  # the upper end of a range
        dimension, factor = UNITS[match.group(2).lower()]
        if dimension == "count" and _FREE_GIFT.search(normal, max(0, match.start() - 2), match.start()):
            continue  # "送12片抹布": cloths given with the robot, not a pack of twelve robots
        value = round(parse_number(match.group(1)) * factor, 6)
        if dimension == "count" and match.group(2).lower() == "ct" and value != int(value):
            dimension = "carat"  # no count is a fraction: "diamant 0,25 ct" weighs a quarter carat
        if dimension == "voltage":
            value = _MAINS.get(value, value)
        quantities.add((dimension, value))
        unit_spans.append(match.span())
    for match in _SIZES.finditer(normal):
        dimension, factor = UNITS[match.group(4).lower()]
        sides = [parse_number(side) * factor for side in filter(None, match.groups()[:3])]
        for side in sides:
            quantities.add((dimension, round(side, 6)))
        if len(sides) == 2 and dimension == "length":
            # The sides together: 100 x 100 cm shares a side with 75 x 100 cm, not its area.
            quantities.add(("area", round(sides[0] * sides[1], 3)))
        unit_spans.append(match.span())
    for match in _CABLE_LENGTH.finditer(_fold(normal)):
        # Also a length: "cable length 10 m" against "5m Semi-Rigid Cable" is another variant.
        quantities.add(("cable length", parse_number(next(g for g in match.groups() if g))))
    for match in _LABELLED.finditer(normal):
        label = match.group(1).lower().replace("-", "")
        quantities.add((label, parse_number(match.group(2))))
        unit_spans.append(match.span())
    for match in _MULTIPLE.finditer(normal):
        dimension, factor = UNITS[match.group(3).lower()]
        if dimension not in ("charge", "voltage"):
            # "2 x 100 ml" is two of them and holds 200 ml too: a listing may give either. "2 x 3000mAh"
            # and "2x18V" count the batteries of one unit.
            quantities.add(("count", float(match.group(1))))
        quantities.add((dimension, round(float(match.group(1)) * parse_number(match.group(2)) * factor, 6)))
        unit_spans.append((match.start(), match.end(3)))  # "2x18V" is no model code
    for match in _GARMENT_SIZE.finditer(_fold(normal)):
        value = next(group for group in match.groups() if group)
        if value in _LETTER_SIZES:  # S, M, XL: a dimension of their own, which numbers (EU 42) never contradict
            quantities.add(("letter size", float(_LETTER_SIZES[value])))
        else:
            quantities.add(("size", parse_number(value)))
    for match in _CJK_SIZE.finditer(normal):
        quantities.add(("letter size", float(_LETTER_SIZES[_CJK_SIZES[match.group(1)]])))
    for match in _NAMED_LETTER_SIZE.finditer(_fold(normal)):
        quantities.add(("letter size", float(_LETTER_SIZES[match.group(1)])))
    for match in _LETTER_RANGE.finditer(folded := _fold(normal)):
        if "letter size" in {d for d, _ in quantities} or _SIZE_LABEL.search(folded, 0, match.start()):
            quantities.update(("letter size", float(_LETTER_SIZES[end])) for end in match.groups())
    for match in _PACK.finditer(normal):
        value = next(group for group in match.groups() if group)
        quantities.add(("count", float(_PACK_WORDS[value.lower()] if value.isalpha() else value)))  # a twin pack is two
        unit_spans.append(match.span())
    for match in _PIECES.finditer(_fold(normal)):
        quantities.add(("pieces", float(match.group(1))))
    for match in _CJK_PIECES.finditer(normal):
        quantities.add(("pieces", float(match.group(1))))
    if _SET_WORD.search(_fold(normal)):
        # "Cocktail Shaker Set, 12 Pieces": the set's size, not a pack of twelve sets ("Juego de
        # molinillos (2 piezas)" is still two mills).
        counted = {v for d, v in quantities if d == "count"}
        for match in _PIECES_OF_A_SET.finditer(_fold(normal)):
            value = float(match.group(1))
            quantities.add(("pieces", value))
            if value in counted and value > MAX_PACK_OF_A_SET:
                quantities.discard(("count", value))
    if _PAIR.search(normal) or _PAIR_ALONE.search(_fold(normal)):
        quantities.add(("count", 2.0))
    if _SOLD_SINGLY.search(_fold(normal)):
        quantities.add(("count", 1.0))
    for match in _PAIRS.finditer(normal):
        quantities.add(("count", 2.0 * float(match.group(1) or match.group(2))))
    for match in _CJK_TIMES.finditer(normal):
        quantities.add(("count", float(match.group(1))))
    for match in _CJK_PERSONS.finditer(normal):
        quantities.add(("persons", _CJK_NUMERALS[match.group(1)]))
    for match in _CJK_PACK.finditer(normal):
        raw = match.group(1)
        quantities.add(("count", float(raw) if raw.isdigit() else _CJK_NUMERALS[raw]))
    for match in _CONTENTS_COUNT.finditer(normal):
        value = float(match.group(1) or match.group(2))
        rest_of_line = normal[match.end() :].split("\n", 1)[0]
        # One of the first thing is a count only when the box holds nothing else: "Lieferumfang:
        # 1 Paar" is one pair, "In the box: 1 table, 2 chairs" is one set.
        if value >= 2 or not _MORE_CONTENTS.search(rest_of_line):
            quantities.add(("count", value))
    for match in _PIXELS.finditer(normal):
        short, long = sorted((int(match.group(1)), int(match.group(2))))
        quantities.add(("pixels", float(long * 100_000 + short)))  # 1920 x 1080 and 1080 x 1920 agree
        unit_spans.append(match.span())
        if short in _STANDARD_LINES:
            quantities.add(("video lines", float(short)))
    for dimension, value in list(quantities):
        if dimension == "resolution_p" and value in _STANDARD_LINES:
            quantities.add(("video lines", value))
        elif dimension == "resolution" and value in _LINES_OF_K:
            quantities.add(("video lines", _LINES_OF_K[value]))
    for match in _NAMED_RESOLUTION.finditer(normal.lower()):
        quantities.add(("video lines", float(_VIDEO_LINES[match.group(1)])))
    for match in _WHEEL.finditer(normal):
        inches, bead_seat, road, gravel = match.groups()
        if bead_seat:
            quantities.add(("wheel", float(bead_seat)))
        else:
            quantities.add(("wheel", _BEAD_SEATS[(inches or road or gravel).replace(",", ".")]))
    for match in _DIOPTRES.finditer(normal):
        written, bare, hundredths = match.groups()
        quantities.add(("dioptres", float(hundredths) / 100 if hundredths else parse_number(written or bare)))
    for match in _SCALE.finditer(normal):
        gauge = match.group(2) or match.group(3)
        quantities.add(("scale", _GAUGE_SCALES[gauge.lower()] if gauge else float(match.group(1))))

    codes: set[str] = set()
    aliases: set[str] = set()
    spaced = _SPACED_PREFIX.sub(r"\1-", _ROMAN_MARK.sub(lambda m: " " * len(m.group(0)), normal))
    for match in _TOKEN.finditer(spaced):
        token = match.group(0)
        if any(start < match.end() and match.start() < end for start, end in unit_spans):
            continue  # "1.7L", "SPF50", "20000mAh", "6er-Pack" are quantities, not model codes
        if not (re.search(r"[A-Za-z]", token) and re.search(r"\d", token)):
            continue
        if _NUMBERED_WORDS.fullmatch(token):
            continue  # "3-Axis", "5-Punkt-Gurt", "360-Degree": a number and words, not a model
        token = _GLUED_WORDS.sub("", token)  # "VG-10-Kern" is the VG-10 core
        compact = re.sub(r"[-/.]", "", token).upper()
        if len(compact) >= 4 and not _QUANTITY.fullmatch(token) and not re.fullmatch(r"\d+(X\d+)+", compact):
            if not _SPECIFICATION_CODE.fullmatch(compact):
                codes.add(compact)
                suffix = _LOOSE_SUFFIX.match(spaced, match.end())  # how strong: _model_codes
                if suffix:
                    aliases.add(compact + suffix.group(1))

    folded = _fold(normal)
    latin = set(_LATIN_WORD.findall(folded))
    words = {w for w in latin if len(w) >= 3 and w not in STOPWORDS}
    colour_words = latin - _CHROME_WORDS if _BLACK_CHROME.search(folded) else latin
    if _ROSE_GOLD.search(folded):  # "or rose" is a gold, not a pink
        colour_words = (colour_words - {"rose", "rosa"}) | {"gold"}
    for word, colour in _COLOUR_OF.items():
        # Chinese colours anywhere in the text; Latin ones as whole words ("Blattgrün" is leafy greens).
        if word in colour_words or (_CJK.search(word) and word in normal):
            quantities.add(("colour", float(colour)))
    if _STAINLESS_LOOK.search(folded):
        quantities.add(("colour", float(_COLOUR_INDEX["silver"])))
    if _SAND.search(folded):
        quantities.add(("colour", float(_COLOUR_INDEX["beige"])))
    if _ASSORTED_COLOURS.search(folded):
        quantities.add(("colour", float(_COLOUR_INDEX["multicolour"])))
    for match in _GERMAN_SHADE.finditer(folded):
        quantities.add(("colour", float(_COLOUR_OF[match.group(1) or match.group(2)])))
    for match in _CJK_PAIR_OF_COLOURS.finditer(normal):  # "灰白色" is grey and white, "黑白" black and white
        pair = [_COLOUR_INDEX[_CJK_SHADE_COLOURS[c]] for c in match.groups()]
        quantities.update(("colour", float(c)) for c in pair)
        quantities.add(_colour_combination(*pair))
    for match in _COLOUR_PAIR.finditer(_COLOUR_PHRASE.sub(lambda m: _COLOUR_PHRASES[m.group()], folded)):
        first, second = match.groups()
        # Chrome is a finish ("Schwarz-Chrom" is black chrome), and "Silver/Chrome" is one colour.
        if {first, second} & _CHROME_WORDS or first not in _COLOUR_OF or second not in _COLOUR_OF:
            continue
        if _COLOUR_OF[first] != _COLOUR_OF[second]:
            quantities.add(_colour_combination(_COLOUR_OF[first], _COLOUR_OF[second]))
    for match in _CJK_SHADE.finditer(normal):
        if not match.group(0).rstrip("色").endswith(_NOT_CJK_SHADES):
            quantities.add(("colour", float(_COLOUR_INDEX[_CJK_SHADE_COLOURS[match.group(1)]])))
    numbers = {parse_number(n) for n in _ANY_NUMBER.findall(normal)}
    variants = frozenset(latin & VARIANT_WORDS)
    return Evidence(
        frozenset(quantities), frozenset(codes), frozenset(words), frozenset(numbers), variants, frozenset(aliases)
    )


_FREE_GIFT = re.compile(r"[送附赠配含]")
# Mains voltages a market writes its own way: 220 V in China is the 230 V of Europe, 110 V the 120 V of
# North America (not 240 V, which a British version gives).
_MAINS = {220.0: 230.0, 110.0: 120.0, 115.0: 120.0, 127.0: 120.0}


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0.01, abs_tol=1e-9)


# The order of the feature vector that both scorers use; documented in
# alignment/scorers/e5.py next to the weights fitted on it.
FEATURE_NAMES = (
    "unit_agree",  # dimensions where both texts give a value and a value agrees (1.7 L = 1,7 L)
    "unit_conflict",  # dimensions where both give values and none agree (1.7 L vs 1.5 L)
    "code_agree",  # 1 when a model code appears in both texts
    "code_conflict",  # 1 when both texts carry model codes and none is shared
    "word_overlap",  # shared Latin words / words of the shorter text (brands, names)
    "number_overlap",  # Jaccard of all numbers in the texts
    "quantity_disjoint",  # 1 when both texts give quantities and not one of them agrees (100 ml vs 15 g)
    "variant_conflict",  # variant words (pro, max, ultra, mini...) in one text and not the other
)


# Colour codes a maker appends to a model code: "BX-170F-BK" is the black BX-170F.
COLOUR_SUFFIXES = frozenset("BK BLK WH WHT GY GRY RD BL BLU GN GRN PK SV SLV GD OL NV NVY YL".split())


def colour_of(code: str, model: str) -> bool:
    """Whether ``code`` is ``model`` with a colour code appended ("BX170FBK", "BX170F")."""
    return code.startswith(model) and code[len(model) :] in COLOUR_SUFFIXES


def codes_agree(codes_a: frozenset[str], codes_b: frozenset[str]) -> bool:
    """Whether the texts share a model code, or one ends with the other's ("R7-7840HS" and "7840HS"),
    or adds a colour code to it ("BX-170F-BK" and "BX-170F")."""
    if codes_a & codes_b:
        return True
    for x in codes_a:
        for y in codes_b:
            short, long = sorted((x, y), key=len)
            if len(short) >= 4 and (long.endswith(short) or colour_of(long, short)):
                return True
    return False


def pair_features(a: str, b: str) -> list[float]:
    """The evidence two texts share or contradict, in FEATURE_NAMES order."""
    ea, eb = extract(a), extract(b)
    agree = conflict = 0
    for dimension in ea.dimensions & eb.dimensions:
        va = [v for d, v in ea.quantities if d == dimension]
        vb = [v for d, v in eb.quantities if d == dimension]
        if any(_close(x, y) for x in va for y in vb):
            agree += 1
        else:
            conflict += 1
    code_agree = codes_agree(ea.codes, eb.codes) or bool(ea.aliases & eb.codes or eb.aliases & ea.codes)
    if code_agree and _own_codes_differ(a, b, ea, eb):
        code_agree = False
    code_conflict = bool(ea.codes and eb.codes and not code_agree)
    shorter = min(len(ea.words), len(eb.words))
    word_overlap = len(ea.words & eb.words) / shorter if shorter else 0.0
    union = len(ea.numbers | eb.numbers)
    number_overlap = len(ea.numbers & eb.numbers) / union if union else 0.0
    shared = any(_close(x, y) for d, x in ea.quantities for e, y in eb.quantities if d == e)
    disjoint = bool(ea.quantities and eb.quantities and not shared)
    return [
        float(agree), float(conflict), float(code_agree), float(code_conflict),
        word_overlap, number_overlap, float(disjoint), float(len(ea.variants ^ eb.variants)),
    ]


# Evidence the e5 fusion reads from the heads (brand line, title) on top of FEATURE_NAMES.
CONFLICT_NAMES = (
    "value_conflict",  # values with no counterpart where the other text gives that dimension (140 x 260 vs 140 x 175 cm)
    "negation_asymmetry",  # 1 when one Latin-script text excludes something ("ohne Thermostat") and the other does not
    "excluded_named",  # 1 when what one text excludes, the other names ("ohne ISOFIX" against "ISOFIX硬接口")
    "attribute_conflict",  # ATTRIBUTES both texts name with nothing in common (men's vs 女士, WiFi vs Zigbee)
    "content_conflict",  # net contents that differ across mass and volume too (15 g stick vs 100 ml cream)
    "model_conflict",  # a model that one text names and the other does not (Aero 5 vs 4, K75 Pro vs K75, VX27QC vs VX27Q)
    "values_differ",  # 1 when both texts give a value of a dimension that the other lacks (140 x 260 vs 140 x 175 cm)
    "accessory",  # 1 when one text names the other's model code only as what it is for ("Cuff for BP-600")
)

# Attributes a listing names in words, in the five languages: two texts that both
# name one and share no value describe different products. Latin words are
# matched whole on accent-folded lower case; Chinese as written, in forms of two
# characters or more (男 alone is in 男女通用).
ATTRIBUTES = {
    "gender": {
        "men": "men men's mens homme hommes hombre hombres herren männer 男士 男款 男式 男装",
        "women": "women women's womens femme femmes mujer mujeres damen frauen 女士 女款 女式 女装",
    },
    "connectivity": {
        "wifi": "wifi wi-fi wlan",
        "zigbee": "zigbee",
        "z-wave": "z-wave zwave",
        "bluetooth": "bluetooth 蓝牙",
    },
    "material": {
        "glass": "glass verre vidrio cristal glas borosilicate borosilikatglas borosilicato 玻璃",
        "plastic": (
            "plastic plastique plastico kunststoff plastik polypropylene polipropileno polypropylen ppsu tritan 塑料 聚丙烯"
        ),
        "steel": "steel acier acero stahl edelstahl inox inoxidable 不锈钢 碳钢",
        "wood": "wood wooden bois madera holz 实木 木制 木质",
        "bamboo": "bamboo bambou bambu bambus 竹制",
        "silicone": "silicone silicona silikon 硅胶",
        "ceramic": "ceramic ceramique ceramica keramik 陶瓷",
        "cotton": "cotton coton algodon baumwolle 纯棉 棉质",
        "leather": "leather cuir cuero leder 真皮 皮革",
        "aluminium": "aluminium aluminum aluminio 铝合金",
        "carbon": "carbonfaser 碳纤维",
        "brass": "brass laiton laton messing 黄铜 铜质",
        "felt": "felt feutre fieltro filz 毛毡",
    },
    # The hand a tool is for, or a baseball glove's throwing hand (右投, Rechtswerfer) rather
    # than the hand it is worn on ("戴左手", see _VARIANT_PHRASES).
    "hand": {
        "right": "right-handed right-hand droitier droitiers diestro diestros diestra rechtshander rechtswerfer 右投",
        "left": "left-handed left-hand gaucher gauchers zurdo zurdos zurda linkshander linkswerfer 左投",
    },
    # A light against a dark shade of a colour ("Light Grey" against 深灰色, "gris clair" against
    # "Dunkelgrau"), in the phrases of _VARIANT_PHRASES.
    "shade": {"light": "", "dark": ""},
    # A flat cable against a round one, named in the title.
    "cable": {"flat": "flachkabel flachbandkabel", "round": "rundkabel"},
    # An original cartridge, filter or part against a third party's (see _THIRD_PARTY).
    "origin": {
        "original": "original originale originales d'origine genuine oem 正品",
        "compatible": "generic 非原装",
    },
    # A refurbished or second-hand unit against a new one: listings of new goods rarely
    # say "new", so a text that names no condition is new (ATTRIBUTE_DEFAULTS).
    "condition": {
        "refurbished": (
            "refurbished renewed pre-owned reconditionne reconditionnee reconditionnes reconditionnees "
            "d'occasion d’occasion "
            "reacondicionado reacondicionada reacondicionados generaluberholt generaluberholter generaluberholtes "
            "second-hand secondhand open-box ex-display b-ware rucklaufer vorfuhrgerat "
            "seminuevo seminueva 翻新 官翻 二手 展示机 瑕疵品 瑕疵特价 外观瑕疵 外观微损 轻微瑕疵"
        ),
    },
    # The market a unit is made for: its plug, bands and tuner (see _REGION_PATTERNS).
    "region": {
        "eu": "欧版 欧规 欧标", "us": "美版 美规 美标", "uk": "英版 英规 英标", "hk": "港版", "cn": "国行 大陆版",
        "jp": "日版 日规 日标 日本版",
    },
    # Variants that a line of power tools, tyres, garments or optics sells side by side, each
    # named in its own words (and in the phrases of _EXTRA_PATTERNS).
    "motor": {"brushless": "brushless burstenlos burstenloser burstenlosem burstenlosen 无刷", "brushed": "碳刷"},
    "studs": {"studded": "studded spikereifen 钉胎 带钉", "studless": "studless spikelos 无钉"},
    "water": {"fresh": "freshwater susswasser 淡水", "salt": "saltwater reef recifal meerwasser salzwasser 海水"},
    "lining": {"lined": "fleece-lined gefuttert 加绒", "unlined": "unlined ungefuttert 无内衬"},
    "chuck": {"keyless": "schnellspannbohrfutter", "keyed": "zahnkranzbohrfutter"},
    "comb": {"open": "", "closed": ""},
    "ball": {"match": "matchball spielball 比赛用球", "training": "trainingsball 训练球"},
    "eyepiece": {"angled": "schrageinblick 斜视", "straight": "geradeinblick 直视"},
    "mechanism": {
        "mechanical": "mechanical mecanique mecanica mecanico mechanisch mechanische mechanischer 机械式 机械",
        "electronic": (
            "electronic electronique electronica electronico elektronisch elektronische elektronischer 电子秤 电子式"
        ),
    },
    # A device's port or a cable's plug, named in the title: a charger for micro-USB is not one
    # for USB-C (a cable from one to the other names both).
    "connector": {
        "usb-c": "usb-c usbc type-c typ-c tipo-c",
        "micro-usb": "micro-usb microusb 安卓口",
        "lightning": "lightning 苹果口",
    },
    # RGB lighting against none said in so many words ("sin iluminación", "ohne Beleuchtung").
    "lighting": {"rgb": "rgb argb", "unlit": ""},
    # Where a product is used, named in the title (see _VARIANT_PHRASES).
    "setting": {
        "indoor": "indoor indoors innenbereich 室内",
        "outdoor": "outdoor outdoors beach beachvolleyball aussenbereich 户外 室外 沙滩",
    },
    # A keyboard's layout: a German QWERTZ against a French AZERTY or a QWERTY.
    "layout": {"qwertz": "qwertz", "azerty": "azerty", "qwerty": "qwerty"},
    "pile": {"short": "kurzflor kurzflor-teppich 短毛", "long": "shaggy hochflor hochflor-teppich 长毛"},
    # Stainless against carbon steel (woks, knives, boules), named in the title.
    "steel": {
        "stainless": "stainless inox inoxydable inoxidable edelstahl rostfrei 不锈钢",
        "carbon": "",
    },
    # The finish of metal and paint, named in the title: brushed against polished, matte against gloss.
    "finish": {
        "brushed": "brushed geburstet geburstetes gebursteter brosse brossee cepillado cepillada satinado satinada 拉丝",
        "polished": "polished poli polie pulido pulida poliert hochglanzpoliert 抛光 镜面",
    },
    "sheen": {
        "matte": "matte matt mate mat mattschwarz mattweiss seidenmatt 哑光 磨砂",
        "gloss": "gloss glossy hochglanz glanzend brillo 亮面 亮光 烤漆",
        # Seidenmatt is a satin and a matte both: a violin's "seidenmatt" varnish is the "哑光油漆" of its listing.
        "satin": "seidenmatt seidenglanz",
    },
    # Blinds and curtains: a blackout one against one that filters the light.
    "opacity": {
        "blackout": "blackout occultant occultants occultante occultantes opaco opaca verdunkelung verdunkelnd 全遮光",
        "translucent": "translucent translucido translucida tamisant tamisante lichtdurchlassig 透光",
    },
    "hair": {"curly": "curly boucles lockig lockige lockigen rizado rizada 卷发", "straight": "直发"},
    "garment": {
        "vest": "vest gilet chaleco weste daunenweste bodywarmer 背心 马甲",
        "jacket": (
            "jacket veste chaqueta cazadora jacke regenjacke daunenjacke softshelljacke winterjacke doudoune parka "
            "anorak blouson 外套 夹克 羽绒服 冲锋衣"
        ),
    },
    # The wood a piece is made of, when the texts name its species: a beech footrest is not the
    # walnut one, nor an acacia base the walnut one ("胡桃木底座" against "Sockel aus Akazienholz").
    # A walnut or oak finish is a colour too (COLOURS); this tells the light woods apart.
    "wood": {
        "walnut": "walnut noyer nogal nussbaum nussbaumholz 胡桃木 黑胡桃 胡桃色",
        # Not "cherry" alone, which is also a keyboard switch.
        "cherry": "cerisier merisier cerezo kirschholz kirschbaum kirschbaumholz 樱桃木",
        "oak": "oak chene roble eiche eichenholz 橡木",
        "acacia": "acacia akazie akazienholz 相思木 金合欢",
        "pine": "pine pino kiefer kiefernholz 松木",
        "beech": "beech hetre haya buche buchenholz 榉木",
        "birch": "birch bouleau abedul birke birkenholz 桦木",
        "teak": "teak teck teca 柚木",
        "maple": "maple erable arce ahorn ahornholz 枫木",
    },
    # A book or notebook's binding: hardcover against softcover.
    "cover": {"hard": "hardcover 硬面 硬壳 精装", "soft": "softcover paperback 软面 软皮 平装"},
    # The scent of a consumable (litter, bags, tablets): unscented against lavender or lemon.
    "scent": {
        "unscented": "unscented parfumfrei unparfumiert geruchsneutral 无香 无味",
        "lavender": "lavender lavande lavanda lavendel 薰衣草",
        "vanilla": "vanilla vanille vainilla 香草味",
        "lemon": "lemon citron limon zitrone",
        "eucalyptus": "eucalyptus eucalipto eukalyptus 桉树",
        "fig": "fig figue higo feige 无花果",
        "cedar": "cedar cedre cedro zeder 雪松",
        "sandalwood": "sandalwood santal sandalo sandelholz 檀香",
        "sage": "sage sauge salvia salbei 鼠尾草",
    },
    # A gemstone grown in a laboratory against a mined one.
    "stone": {
        "natural": "天然钻石",
        "lab-grown": "lab-grown laboratory-grown lab-created synthetique sintetico 培育钻石 实验室钻石",
    },
    # What a pillow or cushion is filled with, named in the title.
    "filling": {
        "memory foam": "memory-foam memoryfoam viscoelastica viscoelastico 记忆棉",
        "latex": "latex 乳胶",
        "down": "daunen plumon 羽绒",
        "beads": "mikroperlen microbilles microperlas 泡沫粒子",
        "fibre": "hohlfaser 纤维棉",
    },
    # The voice of a wind instrument or a ukulele's size, named beside it (_VOICE_PHRASES): reeds for an
    # alto saxophone do not fit a tenor, and a soprano ukulele is not the concert one.
    "voice": {"soprano": "", "alto": "", "tenor": "", "baritone": "", "bass": "", "concert": ""},
    # A cooler or graphics card cooled by liquid (an AIO radiator) against one cooled by air and fans.
    "cooling": {"liquid": "watercooling wasserkuhlung 水冷 一体式水冷", "air": "luftkuhlung 风冷"},
    # The accuracy class of volumetric glassware (_CLASS_PHRASES): a Class A burette is certified to
    # half the tolerance of the Class B one.
    "tolerance": {"class a": "", "class b": ""},
    # The key a clarinet or saxophone (in German a trumpet too, "B-Trompete") is pitched in, named
    # beside it (_KEY_PHRASES): a B-flat clarinet is not the E-flat one.
    "key": {"bb": "", "eb": ""},
    # Paper, tape or a print on one side or both (titles only: a page may mention double-sided tape).
    "sides": {"double": "双面", "single": "单面"},
    # The make of car an accessory is cut for, in a title ("für VW Golf 8" against "pour Seat Leon IV"):
    # a list of makes shares one. Not the makes that are words too (Seat, Smart, Mini, Tesla, 现代, 三菱);
    # Seat by its models.
    "car": {
        "vw": "vw volkswagen 大众",
        "audi": "audi 奥迪",
        "bmw": "bmw 宝马",
        "mercedes": "mercedes mercedes-benz 奔驰",
        "toyota": "toyota 丰田",
        "ford": "ford 福特",
        "opel": "opel vauxhall 欧宝",
        "renault": "renault 雷诺",
        "peugeot": "peugeot 标致",
        "citroen": "citroen 雪铁龙",
        "skoda": "skoda 斯柯达",
        "honda": "honda 本田",
        "nissan": "nissan 日产",
        "kia": "kia 起亚",
        "mazda": "mazda 马自达",
        "volvo": "volvo 沃尔沃",
        "porsche": "porsche 保时捷",
        "subaru": "subaru 斯巴鲁",
        "dacia": "dacia",
        "fiat": "fiat 菲亚特",
        "seat": "",
    },
    # The profile of a keycap set (Cherry, XDA, OEM, SA, DSA, MDA: the height and shape of each row).
    "profile": {name: "" for name in ("cherry", "xda", "oem", "sa", "dsa", "mda")},
    # The output signal of a sensor or transmitter: 4-20 mA current loop, 0-5 V or 0-10 V.
    "signal": {"4-20 ma": "", "0-5 v": "", "0-10 v": ""},
}
ATTRIBUTE_DEFAULTS = {"condition": "new"}
# "Cartouche compatible InkPro", "Tóner compatible TonerMax": compatible as a kind of
# product, not "compatible with", "kompatibel mit" or "Qi-compatible", which an
# original names too.
_THIRD_PARTY = re.compile(
    r"(?<![a-z0-9-])(?:compatible|compatibles|kompatible?)(?![a-z0-9-])"
    r"(?!\s+(?:with|avec|con|mit|para|pour|fur|to|a|al|au|aux)\b)"
)
# "EU-Version", "version Europe", "UK plug", "versión para Reino Unido", on accent-folded lower case.
_REGION_PATTERNS = {
    "eu": r"\beu[- ]?(?:version|stecker|plug|model)\b|\bversion (?:eu|ue|europe|europeenne|europea)\b"
    r"|\beuropaische version\b|\b(?:prise|enchufe) (?:eu|europeenne|europeo)\b",
    # North American mains: "120 V / 60 Hz", "110-120V AC 60Hz", a NEMA 5-15 plug, "enchufe tipo A"
    # (not "110 V y 220 V", "USB Type-A").
    "us": r"\bus[- ]?(?:version|stecker|plug|model)\b|\bnorth american (?:model|version)\b"
    r"|\bversion (?:us|americaine|estadounidense|eeuu)\b|\b(?:prise|enchufe) (?:us|americaine|americano)\b"
    r"|(?<![\d.,/~–-])(?<![~–/-] )(?:1[0-2]\d(?: ?v)? ?[-–~/] ?)?1[12][0-7] ?v(?: ?ac)?[ ,/~]*(?:ac ?)?60 ?hz\b"
    r"|\bnema ?[156]-15\b|\b(?:plug|prise|enchufe|stecker) (?:type|tipo|typ) [ab]\b",
    # Japanese: "Japan version", "versión japonesa", "100 V 50/60 Hz" (not "100-240 V").
    "jp": r"\bjapan(?:ese)?[- ](?:version|model|plug|only)\b|\bversion (?:japon|japonaise|japonesa|jp)\b"
    r"|\bjapanische version\b|\bjp[- ]?(?:version|plug|model)\b"
    r"|(?<![\d.,/~–-])(?<![~–/-] )100 ?v(?: ?ac)?[ ,/~]*(?:ac ?)?50 ?/ ?60 ?hz\b",
    "uk": r"\buk[- ]?(?:version|stecker|plug|model|3-pin)\b"
    r"|\bversion (?:uk|britannique|(?:para )?(?:el )?reino unido)\b"
    r"|\bbritische version\b|\b(?:prise|enchufe) (?:uk|britannique|britanico)\b"
    r"|\bbs ?1363\b|\buk (?:sockets?|outlets?|mains)\b"  # the British plug's standard, "4x UK BS 1363 Sockets"
    r"|\b[a-z]{1,5}-?\d+[a-z]{0,3} uk\b(?! ?\d)",  # a model's British version: "CB-4400 UK" (not "UK 9", a size)
}
# European (and Chinese) mains: "AC 220-240V 50/60Hz", "230 V AC, 50 Hz", "220V~50Hz"; not a
# worldwide "100-240 V, 50/60 Hz". The region of a text that names no other (a British "UK plug,
# 230 V" is British).
_MAINS_230 = re.compile(
    r"(?<![\d.,/~–-])(?<![~–/-] )2[234]0(?: ?v)?(?: ?[-–~/] ?2[34]0)? ?v(?: ?ac)?[ ,/~]*(?:ac ?)?50(?: ?/ ?60)? ?hz\b"
)
# The colours that come in light and dark shades, in the five languages (accent-folded).
_SHADED = (
    "grey|gray|blue|green|pink|brown|purple|gris|grise|bleu|bleue|vert|verte|rose|brun|violet|azul|verde|rosa|marron"
)
# Variants named in phrases, on accent-folded lower case: "moteur à charbons" is brushed, and
# "ohne Kohlebürsten" is not.
_VARIANT_PHRASES = {
    # A used or returned unit, said at the start of a line or sentence or after a dash, comma
    # or colon ("– gebraucht", "usado, como nuevo", "Zustand: gebraucht", "– occasion"); not
    # "wird gebraucht", "usado para", "Used by chefs", "à l'occasion".
    ("condition", "refurbished"): (
        r"(?:^|[-–|,(:.\n])\s*(?:de |d'|en )?(?:(?:articulo|article|artikel|item|producto|produit|unidad|unit) )?"
        r"(?:used|usado|usada|gebraucht|occasion|open box|opened box|caja abierta"
        r"|boite ouverte|emballage ouvert|segunda mano|seconde main)\b"
        r"(?!\s+(?:for|to|in|with|by|as|on|at|daily|every|para|en|por|como|pour|par|comme|wird|werden|von|als|zum"
        r"|zur))"
        r"|\b(?:gebrauchtware|articulo devuelto|producto de devolucion|retour client|article retourne"
        r"|returned item|ex-demo|demo unit|display item|articulo de exposicion|article d'exposition"
        r"|modelo de exposicion|ausstellungsstuck|producto abierto|embalaje danado|emballage abime"
        r"|verpackung beschadigt|verpackung geoffnet|retoure|damaged (?:box|packaging))\b"
        r"|九成新|九五新|95新|99新|(?<![未不没])拆封|展示品|展示样[车机品]|展示车"
        # or closing a clause: "Cargador ADP-45SW original usado, probado" (not "can be used, ...").
        r"|(?<!\bbe )(?<!been )(?<! is )(?<!are )(?<!was )(?<!mas )(?<!muy )(?<! es )(?<!son )(?<!ser )(?<!fue )"
        r"\b(?:used|usado|usada)(?=\s?[,;|)–])"
    ),
    ("lighting", "unlit"): (
        r"\b(?:sin iluminacion|without (?:rgb|lighting)|sans (?:eclairage|rgb)|ohne (?:rgb|beleuchtung))\b"
    ),
    ("connector", "usb-c"): r"\busb[ -]?type[ -]?c\b|\b(?:type|typ|tipo) c\b|\busb c\b",
    ("connector", "micro-usb"): r"\bmicro[ -]usb\b|\bmicro-b\b",
    ("steel", "carbon"): r"\b(?:carbon steel|acier (?:au )?carbone|acero al carbono|kohlenstoffstahl)\b|碳钢",
    # Carbon fibre ("BP-2 Carbon ... de fibra de carbono"), not carbon steel, brushes or filters.
    ("material", "carbon"): r"\bcarbon[- ]?fib(?:re|er)s?\b|\bfibre de carbone\b|\bfibra de carbono\b",
    # Where a product is for: "Beachvolleyball" against "BV-500 Indoor", "de exterior", 户外.
    ("setting", "indoor"): (
        r"\b(?:de|para|pour|d'|a l'|uso en) ?(?:interior(?:es)?|interieur)\b|\bfur (?:den )?innen\w*"
        r"|\b(?:volleyball|fussball|handball|ball) halle\b|\bhallen(?:volley|fuss|hand)?ball\w*|\bfur die halle\b"
    ),
    ("setting", "outdoor"): r"\b(?:de|para|pour|d'|a l'|uso en) ?(?:exterior(?:es)?|exterieur|playa|plage)\b"
    r"|\bfur (?:den )?aussen\w*",
    ("motor", "brushless"): r"\b(?:sin escobillas|sans (?:balais|charbons)|ohne kohleburste\w*)\b",
    ("motor", "brushed"): r"\b(?:brushed motor|(?<!sans )(?:a|aux) charbons|con escobillas|carbon brush(?:es)?)\b"
    r"|(?<!ohne )\bkohleburste",
    ("studs", "studded"): r"\b(?:con clavos|a clous|mit spikes)\b",
    ("studs", "studless"): r"\b(?:sin clavos|sans clous|ohne spikes)\b",
    ("water", "fresh"): r"\b(?:fresh water|agua dulce|eau douce)\b",
    ("water", "salt"): r"\b(?:salt water|agua salada|eau de mer|acuario marino|aquarium marin|marine aquarium)\b",
    ("lining", "lined"): (
        r"\b(?:with (?:a )?(?:\w+ )?lining|forro polar|con forro|doublure (?:polaire|en)|mit futter)\b"
    ),
    ("lining", "unlined"): r"\b(?:sin forro|sans doublure|ohne futter)\b",
    ("chuck", "keyless"): r"\b(?:keyless chuck|mandrin auto-?serrant|portabrocas (?:automatico|sin llave))\b",
    ("chuck", "keyed"): r"\b(?:keyed chuck|mandrin a cle|portabrocas de (?:llave|corona))\b",
    ("comb", "open"): r"\b(?:open comb|peigne ouvert|peine abierto|offener kamm)\b",
    ("comb", "closed"): r"\b(?:closed comb|peigne ferme|peine cerrado|geschlossener kamm)\b",
    ("ball", "match"): r"\b(?:match ball|ballon de match|balon de partido)\b",
    ("ball", "training"): (
        r"\b(?:training (?:ball|soccer ball|football)|ballon d'entrainement|balon de entrenamiento)\b"
    ),
    ("eyepiece", "angled"): r"\b(?:angled (?:eyepiece|body)|ocular angular|oculaire coude)\b",
    ("eyepiece", "straight"): r"\b(?:straight (?:eyepiece|body)|ocular recto|oculaire droit)\b",
    ("pile", "short"): r"\b(?:short|low)[- ]pile\b|\bpoil (?:court|ras)\b|\bpelo corto\b",
    ("pile", "long"): r"\b(?:long|high|deep)[- ]pile\b|\bpoil long\b|\bpelo largo\b",
    ("hair", "straight"): r"\b(?:straight hair|cheveux lisses|pelo liso|glatte[n]? haare?)\b",
    # "右手" and "左手" but not the hand a glove is worn on ("戴左手", "手套戴在左手").
    # Or the hand alone between commas or dashes: "Kurve P88, links –", "Vertical Mouse – Right Hand, Medium".
    ("hand", "right"): r"(?<!戴)(?<!戴在)右手|\bright[- ]hand(?:ed)?[- ]throw"
    r"|(?:^|[-–|,(/\n])\s*(?:rechts|right hand|main droite|mano derecha)(?=\s*(?:[-–|,)/;\n]|$))",
    ("hand", "left"): r"(?<!戴)(?<!戴在)左手|\bleft[- ]hand(?:ed)?[- ]throw"
    r"|(?:^|[-–|,(/\n])\s*(?:links|left hand|main gauche|mano izquierda)(?=\s*(?:[-–|,)/;\n]|$))",
    ("shade", "light"): (
        rf"\b(?:light|pale) (?:{_SHADED})\b"
        rf"|\b(?:{_SHADED}) (?:clair|claire|clairs|claires|claro|clara|claros|claras|pale)\b"
        r"|\bhell-?(?:grau|blau|grun|rosa|braun|lila)\b|浅[灰蓝绿粉棕紫]"
    ),
    ("shade", "dark"): (
        rf"\bdark (?:{_SHADED})\b|\b(?:{_SHADED}) (?:fonce|foncee|fonces|foncees|oscuro|oscura|oscuros|oscuras)\b"
        r"|\bdunkel-?(?:grau|blau|grun|rosa|braun|lila)\b|深[灰蓝绿棕紫]|\banthra(?:cite|zit)\b|\bantracita\b"
    ),
    ("wood", "pine"): r"\b(?:en|de|bois de) pin\b|\bpin massif\b",
    ("cover", "hard"): r"\bhard[- ]?cover\b|\bcouverture rigide\b|\btapa dura\b|\bfester einband\b",
    ("cover", "soft"): r"\bsoft[- ]?cover\b|\bcouverture souple\b|\btapa blanda\b|\bflexibler einband\b",
    ("scent", "unscented"): r"\b(?:sans parfum|sin perfume|sin fragancia|fragrance[- ]free|ohne duft)\b",
    ("scent", "lemon"): r"柠檬(?!酸|黄)",  # not citric acid, nor a lemon yellow
    ("stone", "natural"): r"\b(?:natural diamond|diamant naturel|diamante natural|naturliche[rn]? diamant\w*)\b",
    ("stone", "lab-grown"): (
        r"\b(?:diamant de laboratoire|diamante de laboratorio|labor(?:gezuchtete[rn]?)? ?diamant\w*)\b"
    ),
    ("filling", "memory foam"): r"\bmemory[- ]?(?:foam|schaum)\b|\bmousse a memoire\b|\bespuma viscoelastica\b",
    ("filling", "down"): r"\bdown[- ]filled\b|\b(?:goose|duck) down\b|\bduvet d'(?:oie|canard)\b",
    ("filling", "beads"): r"\beps[- ](?:beads|microbilles|microperlas|mikroperlen)\b|\bmicro ?beads\b",
    ("filling", "fibre"): r"\bhollow ?fib(?:re|er)\b|\bfibre creuse\b|\bfibra hueca\b",
    # Satin paint ("pintura satinada", "Seidenmatt"): not the satin finish of steel, which is brushed.
    ("sheen", "satin"): r"\b(?:pintura|esmalte|peinture|laque|satin) (?:satinada|satinado|satinee|paint)\b",
    ("cooling", "liquid"): r"\bliquid[- ]cool(?:ed|ing|er)\b|\brefrigeracion liquida\b|\brefroidissement liquide\b"
    r"|\bflussigkeitskuhl\w*",
    ("cooling", "air"): r"\bair[- ]cool(?:ed|ing|er)\b|\brefrigeracion por aire\b|\brefroidissement (?:par|a) air\b"
    r"|\bluftgekuhlt\w*",
    **{
        ("profile", name): rf"\b{name}[- ]profile?\b|\b(?:profil|perfil) {name}\b|\b{name}高度"
        for name in ("cherry", "xda", "oem", "sa", "dsa", "mda")
    },
    ("signal", "4-20 ma"): r"(?<![\d.,])4 ?[-–~] ?20 ?ma\b",
    ("signal", "0-5 v"): r"(?<![\d.,])0 ?[-–~] ?5 ?v(?:dc)?\b",
    ("signal", "0-10 v"): r"(?<![\d.,])0 ?[-–~] ?10 ?v(?:dc)?\b",
    ("car", "seat"): r"\bseat (?:leon|ibiza|arona|ateca|tarraco|alhambra|altea|toledo|mii)\b",
    ("sides", "double"): r"\b(?:double|two|2)[- ]sided\b|\bdoble cara\b|\bdos caras\b|\bdouble[- ]face\b"
    r"|\brecto[- ]verso\b|\b(?:beid|doppel|zwei)seitig",
    ("sides", "single"): r"\b(?:single|one|1)[- ]sided\b|\buna (?:sola )?cara\b|\bsimple[- ]face\b"
    r"|\bune (?:seule )?face\b|\beinseitig",
    ("cable", "flat"): r"\bflat (?:\w+ )?(?:cable|cord|lan|ethernet)\b|\b(?:cable|cordon) (?:\w+ )?plat\b"
    r"|\bcable (?:\w+ )?plano\b|\bflach(?:band)?[- ]?(?:\w*kabel)\b|扁平[网数据]{0,2}线|扁线",
    ("cable", "round"): r"\bround (?:\w+ )?(?:cable|cord)\b|\b(?:cable|cordon) (?:\w+ )?rond\b"
    r"|\bcable (?:\w+ )?redondo\b|kabel,? rund\b|\brund(?:es)? \w*kabel\b|圆[网数据]{0,2}线",
}
_INSTRUMENT = (
    r"(?:sax(?:o|ofon|ophone|ophon)?|recorder|flute(?: a bec)?|flauta(?: dulce)?|blockflote|flote|clarinet(?:e|te)?"
    r"|klarinette|ukulele|ukelele|trombone|trombon|posaune)s?"
)
# The instruments French and Spanish name before their voice ("saxofón tenor"); not a "voice recorder alto rendimiento".
_INSTRUMENT_FIRST = r"(?:sax(?:o|ofon|ophone)?|flauta dulce|flute a bec|clarinete|clarinette|ukulele|ukelele|trombon)s?"
_VOICE_WORDS = {
    "soprano": (r"sopran(?:o|os)?", "高音"),
    "alto": (r"alt(?:o|os)?", "(?<!次)中音"),
    "tenor": (r"tenor(?:es)?", "次中音"),
    "baritone": (r"bariton(?:e|o|os)?|baryton", "上低音"),
    "bass": (r"bass|basse|bajo", "(?<!上)低音"),
    "concert": (r"concert|concierto|konzert", None),
}
# "Alto Saxophone", "Altsaxophon", "saxofón tenor", "ukulélé de concert", 次中音萨克斯.
_VOICE_PHRASES = {
    ("voice", voice): rf"\b(?:{latin})[ -]?{_INSTRUMENT}\b|\b{_INSTRUMENT_FIRST}[ -](?:de |en )?(?:{latin})\b"
    + (rf"|{cjk}(?:萨克斯|竖笛|单簧管|长号|尤克里里)" if cjk else "")
    for voice, (latin, cjk) in _VOICE_WORDS.items()
}
_KEY_WORDS = {  # English, French and Spanish, German (before a dash), Chinese
    "bb": ("bb|b-flat|b flat|b♭", "sib|si ?bemol|si♭", "b", "降b调"),
    "eb": ("eb|e-flat|e flat|e♭", "mib|mi ?bemol|mi♭", "es", "降e调"),
}
_BRASS = r"(?:\w*klarinette|trompete|\w*saxophon|kornett|flugelhorn)"
# "Bb Clarinet", "Eb Alto Saxophone", "clarinette Sib", "saxofón alto en Mi bemol", "Es-Klarinette", 降E调.
_KEY_PHRASES = {
    ("key", key): rf"\b(?:{english})(?: (?:student|intermediate|professional|pro|soprano|alto|tenor|baritone))?"
    rf" {_INSTRUMENT}\b|\b{_INSTRUMENT_FIRST} (?:(?:soprano|alto|tenor|baritono|baryton) )?(?:en )?(?:{romance})\b"
    rf"|\b{german}-{_BRASS}\b|{cjk}"
    for key, (english, romance, german, cjk) in _KEY_WORDS.items()
}
# "Class A", "Klasse B", "classe : A", A级; not an energy or FCC class, "Class A fires", or a list ("Klasse A/B").
_CLASS_PHRASES = {
    ("tolerance", f"class {letter}"): rf"(?<!energy )(?<!efficiency )(?<!fcc )"
    rf"\b(?:class|classe|clase|klasse) ?:? ?{letter}\b"
    rf"(?! ?[,/&+-] ?[a-f]\b| (?:and|et|y|und|bis|to|or|ou|o|oder) [a-f]\b| fires?\b)|(?<![a-z0-9]){letter}级"
    for letter in "ab"
}
_EXTRA_PATTERNS = {
    **{key: re.compile(pattern) for key, pattern in _VARIANT_PHRASES.items()},
    **{key: re.compile(pattern) for key, pattern in _VOICE_PHRASES.items()},
    **{key: re.compile(pattern) for key, pattern in _CLASS_PHRASES.items()},
    **{key: re.compile(pattern) for key, pattern in _KEY_PHRASES.items()},
    ("origin", "compatible"): _THIRD_PARTY,
    ("origin", "original"): re.compile("(?<!非)原装"),
    **{("region", region): re.compile(pattern) for region, pattern in _REGION_PATTERNS.items()},
}


def _attribute_patterns() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """One pattern per attribute value, to search accent-folded lower-case text with."""
    patterns: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for dimension, values in ATTRIBUTES.items():
        patterns[dimension] = []
        for value, spellings in values.items():
            words = spellings.split()
            alternatives = [re.escape(w) for w in words if _CJK.search(w)]
            # The Latin words behind one pair of boundary checks: twice as fast as a pair each.
            latin = [re.escape(_fold(w)) for w in words if not _CJK.search(w)]
            if latin:
                alternatives.insert(0, rf"(?<![a-z0-9])(?:{'|'.join(latin)})(?![a-z0-9])")
            extra = _EXTRA_PATTERNS.get((dimension, value))
            if extra is not None:
                alternatives.append(extra.pattern)
            patterns[dimension].append((value, re.compile("|".join(alternatives))))
    return patterns


_ATTRIBUTE_PATTERNS = _attribute_patterns()
# What excludes a Latin word in Chinese text: "不含MIPS", "无BPA", "免电池".
_CJK_EXCLUDING = "不含|不带|无|免"
# After an exclusion, the word it excludes: "ohne ISOFIX", "sans le thermostat", "BPA-free".
_EXCLUDED = re.compile(
    rf"\b(?:{_EXCLUDING})\s+(?:(?:le|la|les|l'|el|los|las|den|die|das|the|any)\s+)?"
    r"([a-z0-9][a-z0-9-]{2,})|\b([a-z0-9]{3,})-?(?:free|frei)\b"
    rf"|(?:{_CJK_EXCLUDING})\s?([a-z0-9][a-z0-9-]{{2,}})"  # 不含MIPS, 无BPA
)
# Just before a word, what excludes it ("no ISOFIX", "non-contact", "sans le thermostat").
_EXCLUDED_BEFORE = re.compile(rf"\b(?:{_EXCLUDING}|no|non)[\s-]+(?:\S+\s+)?$|(?:{_CJK_EXCLUDING})\s?$")
# Just after a word's start, what excludes it ("PFAS-free", "BPA-frei").
_EXCLUDED_AFTER = re.compile(r"[a-z0-9]*-?(?:free|frei|less)\b")  # "gas-free", "gasless"
# Net contents compare across mass and volume: 1 ml of a cream or gel weighs about 1 g.
_CONTENT = ("volume", "mass")


@functools.lru_cache(maxsize=20_000)
def attributes(text: str) -> dict[str, frozenset[str]]:
    """The ATTRIBUTES a text names: {"gender": {"men"}, "material": {"glass", "steel"}}."""
    folded = _fold(unicodedata.normalize("NFKC", text))
    found = {}
    for dimension, patterns in _ATTRIBUTE_PATTERNS.items():
        values = frozenset(value for value, pattern in patterns if _affirmed(pattern, folded))
        if values:
            found[dimension] = values
    if "region" not in found and _MAINS_230.search(folded):
        found["region"] = frozenset({"eu"})
    return found


_CLAUSE_OPENERS = " \t\n-–|,(:."
# Just before an attribute, what denies it: "keine WLAN-Verbindung", "sans Wi-Fi", "不支持WiFi".
_DENIED_BEFORE = re.compile(rf"(?:\b(?:{_EXCLUDING}|no|not|non|nicht)[\s-]+(?:[^\s,;.]+\s+)?|不支持|不带|不含|无)$")


def _affirmed(pattern: re.Pattern[str], folded: str) -> bool:
    """Whether a text names an attribute value other than to deny it. A phrase's opening dash or
    comma ends the clause before it: "ohne Akku – gebraucht" is a used unit."""
    for match in pattern.finditer(folded):
        start = match.start() + len(match.group()) - len(match.group().lstrip(_CLAUSE_OPENERS))
        if not _DENIED_BEFORE.search(folded[max(0, start - 24) : start]):
            return True
    return False


def attribute_conflicts(a: str, b: str, *, dimensions: frozenset[str] | None = None) -> int:
    """How many ATTRIBUTES (or only ``dimensions`` of them) both texts name with no value in common
    (men's against 女士); a text that names none of a dimension in ATTRIBUTE_DEFAULTS has its default."""
    found_a, found_b = dict(attributes(a)), dict(attributes(b))  # copies: attributes() is cached
    for found in (found_a, found_b):
        for dimension, default in ATTRIBUTE_DEFAULTS.items():
            found.setdefault(dimension, frozenset({default}))
    named = found_a.keys() & found_b.keys()
    if dimensions is not None:
        named &= dimensions
    return sum(1 for dimension in named if not found_a[dimension] & found_b[dimension])


# The attributes that whole texts, descriptions included, contradict reliably. Not the
# material: a description names the material of every part (an aluminium pump, a steel
# braided hose) and of the packaging ("less plastic").
# Nor the garment, the hair, the eyepiece or the mechanism: a description says what a vest
# is worn under, what hair a doll's spare wig has, what an eyepiece is not, and that a
# mechanical watch has an electronic display. Nor the setting: an outdoor camera's page
# says it can stand indoors too. Nor the connector: a page names the phones a charger serves.
# Nor the cable: a flat cable's page may say what it does better than a round one.
# Nor the filling: a pillow's page names every layer (a latex core under memory foam).
# Nor the voice: a page compares sizes ("louder than a soprano ukulele"). Nor the cooling: a
# graphics card's page says it runs quieter than liquid cooling.
WHOLE_TEXT_ATTRIBUTES = frozenset(ATTRIBUTES) - {
    "material", "steel", "garment", "hair", "eyepiece", "mechanism", "finish", "sheen", "setting", "connector", "cable",
    "filling", "voice", "cooling", "key", "sides", "car", "profile", "signal",
}


def _excluded(text: str) -> set[str]:
    """The words a text excludes, accent-folded: "Sitzerhöhung ohne ISOFIX" -> {"isofix"}."""
    folded = _fold(_NOT_NEGATION.sub(" ", text))
    return {next(word for word in match.groups() if word) for match in _EXCLUDED.finditer(folded)}


def _names(text: str, word: str) -> bool:
    """Whether ``text`` names ``word``, or a word it starts (thermostat, thermostatic), outside an exclusion."""
    folded = _fold(_NOT_NEGATION.sub(" ", text))
    for match in re.finditer(rf"(?<![a-z0-9]){re.escape(word)}", folded):
        before = folded[max(0, match.start() - 24) : match.start()]
        if not _EXCLUDED_BEFORE.search(before) and not _EXCLUDED_AFTER.match(folded, match.start()):
            return True
    return False


def _excludes_what_the_other_names(a: str, b: str) -> bool:
    for mine, theirs in ((a, b), (b, a)):
        excluded_there = _excluded(theirs)
        if any(word not in excluded_there and _names(theirs, word) for word in _excluded(mine)):
            return True
    return False


def _has_counterpart(dimension: str, value: float, theirs: Evidence) -> bool:
    """Whether the other text gives ``value``, in its dimension or, for a length, in inches (41" is 104 cm)."""
    for d, v in theirs.quantities:
        if d == dimension and _close(value, v):
            return True
        if {d, dimension} == {"length", "inch"} and math.isclose(
            value, v * 25.4 if d == "inch" else v / 25.4, rel_tol=0.02
        ):
            return True
    return False


def conflict_features(
    a: str, b: str, text_a: str | None = None, text_b: str | None = None, brands: frozenset[str] = frozenset()
) -> list[float]:
    """Finer contradictions than ``pair_features``: value by value, and exclusions, in CONFLICT_NAMES order.

    ``unit_conflict`` counts a dimension as agreeing when any one value is shared;
    a curtain of 140 x 260 cm and one of 140 x 175 cm share 140 cm (not their area). Here each value
    on either side that the other text does not give, in a dimension both texts
    give, counts once; and when both texts have such a value in one dimension (260
    against 175, not one text's extra detail), the values differ. ``text_a`` and ``text_b``,
    the whole texts of the titles ``a`` and ``b``, are where ``model_conflict`` looks a model up.
    """
    ea, eb = extract(a), extract(b)
    shared = ea.dimensions & eb.dimensions - {"area"}  # an area is its sides' product: counted there
    unmatched = 0
    lacking: list[set[str]] = [set(), set()]  # per text, the dimensions of its values that the other lacks
    for side, (mine, theirs) in enumerate(((ea, eb), (eb, ea))):
        for dimension, value in mine.quantities:
            if dimension in shared and not _has_counterpart(dimension, value, theirs):
                unmatched += 1
                lacking[side].add(dimension)
    negation = 0.0
    if not (_CJK.search(a) or _CJK.search(b)):  # Chinese negation is inside words (不锈钢 is stainless steel)
        negation = float(_negates(a) != _negates(b))
    named = _excludes_what_the_other_names(a, b)
    attribute = attribute_conflicts(a, b)
    content_a, content_b = _contents(ea), _contents(eb)
    content = bool(content_a and content_b) and not any(
        math.isclose(x, y, rel_tol=0.1) for x in content_a for y in content_b
    )
    return [
        float(unmatched), negation, float(named), float(attribute), float(content),
        float(model_conflict(a, b, text_a, text_b, brands)), float(bool(lacking[0] & lacking[1])),
        float(accessory_conflict(a, b)),
    ]


# Just before a model code, what says the product is for it: "Replacement Cuff for BP-600",
# "Correa compatible con KV-4120", "适用AP-350", "pour Orvex 305XL"; not "para hombre" or
# "Aspirador para coche Turbex AV-120", which is the product itself.
_FOR_CODE = re.compile(
    r"(?:\b(?:for|compatible|compatibles|kompatibel|pour|para|fur|fits|passend)\b|适用|适配|兼容|专用)"
    r"(?![^,;|()【】]*\b(?:men|women|homme|hommes|femme|femmes|hombre|hombres|mujer|mujeres|herren|damen|kids|enfants"
    r"|ninos|kinder|car|cars|coche|coches|voiture|voitures|auto|autos|vehicle|vehicles|vehiculo|vehicule|fahrzeug)\b)"
    r"[^,;|()【】]{0,45}$"
)


# Just after a model code, the Chinese for "made for it": "KX-16 中音木琴专用 防尘罩", "SC-4010 MPPT控制器专用 蓝牙模块".
# "DC-13 / DC-13W 高拍仪专用": each code of the list is what it is made for.
_CODE_FOR_AFTER = re.compile(r"(?: ?/ ?[a-z0-9]+(?:-[a-z0-9]+)*)* ?[^\s,;|()【】，。、]{0,14}专用")
_BRACKETED = re.compile(r"【[^】]*】")


def _made_for_after(folded: str, start: int, end: int) -> bool:
    """Whether a Chinese title names the code as what it is made for (专用 after it) before naming a
    product of its own: not "办公椅地垫 CM-9012L 地毯专用" (a chair mat made for carpets)."""
    line_start = folded.rfind("\n", 0, start) + 1
    return bool(_CODE_FOR_AFTER.match(folded, end)) and not _CJK.search(_BRACKETED.sub("", folded[line_start:start]))


@functools.lru_cache(maxsize=20_000)
def _codes_by_role(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A text's model codes: those it names as its own, and those it names as what it is for. Cached per
    text: each of a query's pairs reads both texts again."""
    folded = _fold(text)
    own: set[str] = set()
    served: set[str] = set()
    for match in _TOKEN.finditer(folded):
        code = re.sub(r"[-/.]", "", match.group(0)).upper()
        for_it = _FOR_CODE.search(folded, 0, match.start()) or _made_for_after(folded, match.start(), match.end())
        (served if for_it else own).add(code)
    return frozenset(own), frozenset(served)


def _own_codes_differ(a: str, b: str, ea: Evidence, eb: Evidence) -> bool:
    """Whether the codes two texts share are only what both are for, and each names another as its own:
    "Purvex FC-30 filter for WD 20 / WD 30" against "Aspirex AX-30 filter, compatible Purvex WD 20 / WD 30"."""
    shared = ea.codes & eb.codes
    if not shared:
        return False
    joined_a, joined_b = (_SPACED_PREFIX.sub(r"\1-", unicodedata.normalize("NFKC", t)) for t in (a, b))  # "WD 20"
    (own_a, served_a), (own_b, served_b) = _codes_by_role(joined_a), _codes_by_role(joined_b)
    mine_a, mine_b = (ea.codes & own_a) - served_a, (eb.codes & own_b) - served_b
    return bool(mine_a and mine_b and not mine_a & mine_b and shared <= served_a & served_b)


def accessory_conflict(a: str, b: str) -> bool:
    """Whether one text names a model code that the other names as its own only as what it is for:
    "Medivana BP-600 blood pressure monitor" against "Replacement Cuff for Medivana BP-600"."""
    shared = extract(a).codes & extract(b).codes
    if not shared:
        return False
    (own_a, served_a), (own_b, served_b) = _codes_by_role(a), _codes_by_role(b)
    for code in shared:
        if code in own_a and code not in served_a and code in served_b and code not in own_b:
            return True
        if code in own_b and code not in served_b and code in served_a and code not in own_a:
            return True
    return False


# A model designation: a name, then what picks the model out of its line: bare
# numbers ("Aero 5", "Terra 3+1"), codes ("Glide M3") and variant words ("K75 Pro").
_DESIGNATION_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:\+\d+)*[a-z0-9]*|[a-z][a-z0-9]*|\S")
_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:\+\d+)*")
_CODE_QUALIFIER = re.compile(r"[a-z]+\d[a-z0-9]*")
# A number with a letter suffix that is no unit or ordinal: "305XL", "27Q" (not "15W", "4K", "2nd").
_NUMBERED_CODE = re.compile(r"\d+([a-z]{1,3})")
MAX_CODE_SUFFIX = 3  # characters: "C" (curved), "XL", "TI", "PRO"
_NOT_CODE_SUFFIXES = frozenset("x k p d hd mp s h ms db lm fps dpi in ah er st nd rd th e eme re o a".split())
_NAME = re.compile(r"[a-z][a-z0-9]+")
# Words that name a model of a line, after it ("Feedo Basic", "Feedo Cam", "SnowSock HD", "Mini B5 Slope",
# "NV-400 Camo", "Graphyx XL RGB"), beside the variant words. Not words that listings of one product write
# after a line's name as what it is ("Speed Rope", "Travel Cot", "Light Therapy Lamp", "Compact Bread Maker").
QUALIFIER_WORDS = VARIANT_WORDS | {
    "solo", "se", "gtx", "neo", "combo", "oc",
    "basic", "cam", "motion", "hd", "rgb", "neon", "slope", "camo", "evo", "elite", "essential",
}
# Names of standards rather than of product lines: what follows them is a version
# ("Bluetooth 5.3", "USB 3.2"), which listings of one product often leave out.
STANDARDS = frozenset(
    "usb usbc bluetooth wifi wi fi hdmi pd qi ip ipx spf dp type typec ddr lte nfc bt gen version nema dvb dab "
    "obd zigbee zwave matter thread dect ble lora".split()
)
# Initials that name a kind of product, a technique or a norm, which every candidate shares as it shares a
# brand: no brand ("Electroestimulador TENS/EMS Nervia", "Filtre ND variable Lumaxe", "rail DIN").
KIND_INITIALS = frozenset(
    "led oled lcd gps din hd uhd tv dvd cb nas kvm tens ems rgb uv nd tsa iata nato pfas lh hms hf vhf uhf dj "
    "pc ssd hdd sup rc co2".split()
)
_INNER_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z0-9])")
_PLUS_VARIANT = re.compile(r"(?<=[a-z0-9])\+(?=[\s,;:)\]】|]|$)")
# Nouns that "air" names a kind of product with, rather than a model of a line.
_AIR_COMPOUNDS = frozenset(
    "fryer fryers purifier purifiers pump pumps mattress conditioner cooler compressor freshener".split()
)
# Where a bare number may end a designation: a separator or a word that is no unit.
_DESIGNATION_ENDS = frozenset(",;:–—|/()[]【】")
_LATIN_UNITS = frozenset(u for u in UNITS if re.fullmatch(r"[a-z]+", u))
# Qualifiers as other listings write them: variant words as Chinese listings do ("VoltEdge Slim" is
# "VoltEdge 超薄"), and a short word as the one it shortens ("POV Cam" is a camera: "cámara POV").
_SAID_AS = {
    "slim": ("超薄", "纤薄", "薄款"), "duo": ("双位", "双口", "双件", "双只", "双头", "双人"), "mini": ("迷你",), "pro": ("专业",),
    "max": ("大号", "加大"), "ultra": ("超大", "旗舰"), "lite": ("轻享", "青春"), "plus": ("加强", "升级"),
    "air": ("轻薄", "轻盈"), "cam": ("camera", "camara", "kamera", "摄像", "相机"),
}


# An operating system and its version ("Android TV 12", "iOS 17") names no model.
_OPERATING_SYSTEM = re.compile(r"\b(?:android(?: tv)?|ios|ipados|windows|harmonyos|wear ?os)\s?\d+(?:[.,]\d+)?\b")
# Words a number follows that name no product line: "Europa 45 Länder" counts countries.
_NOT_LINES = frozenset("europe europa eu world monde mundo welt kit set pack".split())  # "kit solo" is no line


@functools.lru_cache(maxsize=20_000)
def _designation_tokens(text: str) -> tuple[str, ...]:
    # A hyphen after a letter joins a code or word ("NV-R30", "HR-3S", "Wi-Fi"); after a
    # number it stays ("3,5-20 kg" is a range, "3-in-1" no model 3in).
    folded = _OPERATING_SYSTEM.sub(" ", _fold(unicodedata.normalize("NFKC", text)))
    folded = _ROMAN_MARK.sub(lambda m: f" {_MARKS.get(m.group(1).lower(), m.group(1))}", folded)
    folded = _ROMAN_NUMBER.sub(lambda m: _ROMANS[m.group(1)], folded)  # "Golf VIII" is Golf 8
    folded = folded.translate(_SHOP_BRACKETS)  # "【Pedalix】Mini 2": the brand's line follows its bracket
    joined = _INNER_HYPHEN.sub("", folded)
    joined = _PLUS_VARIANT.sub(" plus", joined)  # "S8 Pro+" is the S8 Pro Plus
    return tuple(_DESIGNATION_TOKEN.findall(joined))


def _qualifies(token: str, following: str) -> bool:
    """Whether ``token`` picks a model out of a line: a bare number (not a quantity:
    "2-teilig", "42步进", "57 cm"), a code ("m3") or a variant word."""
    if _BARE_NUMBER.fullmatch(token):
        if following in ("in", "en", "em"):
            return False  # "4 en 1", "4 in 1": four functions in one
        return following in ("", *_DESIGNATION_ENDS) or (
            bool(_NAME.fullmatch(following)) and following not in _LATIN_UNITS and following != "x"
        )
    numbered = _NUMBERED_CODE.fullmatch(token)
    if numbered:
        return numbered.group(1) not in _LATIN_UNITS and numbered.group(1) not in _NOT_CODE_SUFFIXES
    if _CODE_QUALIFIER.fullmatch(token):
        return re.match(r"[a-z]+", token).group() not in STANDARDS  # "wifi6", "usb3" are versions
    if token == "air" and following in _AIR_COMPOUNDS:
        return False  # an air fryer is no "Air" model
    return token in QUALIFIER_WORDS


def _designations(tokens: Sequence[str]) -> dict[str, set[str]]:
    """For each name in a text's tokens, what qualifies it: "Stridemax Aero 5 GTX" -> {"aero": {"5", "gtx"}, ...}."""
    found: dict[str, set[str]] = {}
    for i, name in enumerate(tokens):
        if (
            not _NAME.fullmatch(name)
            or name in STOPWORDS
            or name in QUALIFIER_WORDS
            or name in STANDARDS
            or name in _NOT_LINES
        ):
            continue
        qualifiers = found.setdefault(name, set())
        for j in range(i + 1, len(tokens)):
            if not _qualifies(tokens[j], tokens[j + 1] if j + 1 < len(tokens) else ""):
                break
            qualifiers.add(tokens[j])
    return found


def _says(text: str, tokens: Sequence[str], qualifier: str) -> bool:
    """Whether a text gives ``qualifier`` anywhere: as a token, two tokens run together
    ("Go 156" for "go156"), a number with a unit glued on ("15W" for 15), a word that
    starts with it, a code that ends with it or another form of it (``_SAID_AS``)."""
    forms = {*tokens, *(a + b for a, b in zip(tokens, tokens[1:], strict=False))}
    if qualifier in forms:
        return True
    if qualifier[0].isdigit() and any(f.startswith(qualifier) and f[len(qualifier) :].isalpha() for f in forms):
        return True
    if len(qualifier) >= 4 and qualifier.isalpha() and any(t.startswith(qualifier) for t in tokens):
        return True  # "ultra" in "ultracorto" (ultra-short throw), "mini" in "minibar"
    if _CODE_QUALIFIER.fullmatch(qualifier) and any(t.endswith(qualifier) for t in tokens):
        return True  # "C3" in "KO65-C3", the full code of the C3 series' 65-inch model
    return any(word in _fold(text) for word in _SAID_AS.get(qualifier, ()))


def _said_glued(qualifier: str, own_tokens: Sequence[str], tokens: Sequence[str]) -> bool:
    """Whether the other text glues ``qualifier`` to a word beside it in this one: "Auralto A4BT"
    for "Auralto A4 BT", "S7Pro" for "S7 Pro" ("A4 BT" for "A4BT" is ``_says``, two tokens run together)."""
    own = set(own_tokens)
    return any(
        (t.startswith(qualifier) and t[len(qualifier) :] in own)
        or (t.endswith(qualifier) and t[: -len(qualifier)] in own)
        for t in tokens
        if len(t) > len(qualifier)
    )


def _model_codes(evidence: Evidence, other: Evidence) -> frozenset[str]:
    """A text's model codes with the suffix it writes after a space joined on ("TOS-125 E" is TOS125E),
    where the suffix cannot be a size or a connector (``_SPACED_SUFFIX``), or where the other text
    glues it on ("WD 30 S" against "WD-30S"); less the codes the other writes spaced apart."""
    joined = {
        alias for alias in evidence.aliases
        if alias in other.codes or any(_SPACED_SUFFIX.fullmatch(f" {alias[len(code):]}") for code in evidence.codes
                                       if alias.startswith(code))
    }
    bases = {code for code in evidence.codes if any(alias.startswith(code) for alias in joined)}
    return frozenset((evidence.codes - bases - other.aliases) | joined)


_CODE_PREFIX = re.compile(r"[A-Z]")  # one letter before another code: SP45 against P45
_SHORT_CODE = re.compile(r"(?<![\w-])(?:[A-Z]-?\d\d|[A-Z]{2}-?\d)(?![\w-])(?![.,]\d)")  # three characters


@functools.lru_cache(maxsize=20_000)
def _short_codes(text: str) -> frozenset[str]:
    """Codes too short to be read as models on their own ("SG-2", "G62"): only what a longer code
    of the other text extends ("SG-2U", "G62S" are other models)."""
    normal = unicodedata.normalize("NFKC", text)
    found = set()
    for match in _SHORT_CODE.finditer(normal):
        suffix = _SPACED_SUFFIX.match(normal, match.end())  # "PC-8 R" is PC8R
        found.add(match.group(0).replace("-", "") + (suffix.group(1) if suffix else ""))
    return frozenset(found)


_SHORT_CODE_PARTS = re.compile(r"([A-Z]+)(\d+)[A-Z]*")


def _short_codes_differ(a: str, b: str) -> bool:
    """Whether two texts give short codes of one series with other numbers and none in common:
    "Bebiko BM-2" against "Bebiko BM-3", "Orbyte G17" against "Orbyte G15". On the dev set
    (2,197 queries) 161 false pairs and no true one. Not a tyre's rim ("R17" against "R16"):
    a snow sock's page lists some of the tyres it fits."""
    codes_a, codes_b = _short_codes(a), _short_codes(b)
    if not codes_a or not codes_b or codes_a & codes_b:
        return False

    def series(codes: frozenset[str]) -> set[str]:
        found = set()
        for code in codes:
            parts = _SHORT_CODE_PARTS.fullmatch(code)
            if parts and parts.group(1) != "R":
                found.add(parts.group(1))
        return found

    return bool(series(codes_a) & series(codes_b))


def _extended_code(
    codes_a: frozenset[str], codes_b: frozenset[str], words_a: frozenset[str] = frozenset(),
    words_b: frozenset[str] = frozenset(),
) -> bool:
    """Whether a model code of one text extends one of the other's by a suffix it never gives:
    "VX27QC" against "VX27Q", "RTX4070TI" against "RTX4070"; not "VG-10-Kern" against
    "VG-10", where a word is glued on, nor "W20Pro" against "W20 Pro" (``words_*``: the
    texts' designation tokens), where the other gives the suffix as a word. Or by a letter
    before it: "SP-45" (a silent-plug cable) against "P-45"."""
    for mine, theirs, their_words in ((codes_a, codes_b, words_b), (codes_b, codes_a, words_a)):
        for code in mine - theirs:
            if any(
                code.startswith(other)
                and len(code) - len(other) <= MAX_CODE_SUFFIX
                and not colour_of(code, other)
                and code[len(other) :].lower() not in their_words
                or _CODE_PREFIX.fullmatch(code[: len(code) - len(other)]) and code.endswith(other)
                and other[0].isalpha()
                for other in theirs - mine
            ):
                return True
    return False


# A line named by how many of something it has, the count glued to its name: "DuoFlow" against
# "SoloFlow", "TriView" against "SoloView", "TwinMeal" against "QuadMeal".
_COUNTED_LINE = re.compile(
    r"(?<![A-Za-z])(Solo|Mono|Single|Uno|Duo|Dual|Twin|Double|Tri|Trio|Quad|Multi)([A-Z][a-z]{2,})(?![A-Za-z])"
)


def _counted_lines_differ(a: str, b: str) -> bool:
    """Whether two texts name one line ("...Flow") with other counts and none in common: "DuoFlow"
    against "SoloFlow"."""
    counts: list[dict[str, set[str]]] = [{}, {}]
    for found, text in zip(counts, (a, b), strict=True):
        for count, name in _COUNTED_LINE.findall(unicodedata.normalize("NFKC", text)):
            found.setdefault(name.lower(), set()).add(count.lower())
    return any(not counts[0][name] & counts[1][name] for name in counts[0].keys() & counts[1].keys())


def model_conflict(
    a: str, b: str, text_a: str | None = None, text_b: str | None = None, brands: frozenset[str] = frozenset()
) -> bool:
    """Whether both texts name a product line and one qualifies it with what the other never says,
    or a model code of one extends the other's (``_extended_code``).

    "Stridemax Aero 5" against "Stridemax Aero 4" (5 is not in the other), "Kestrel
    K75 Pro" against "Kestrel凯翠 K75" (no Pro), "Tempo Carbon 2" against "Tempo
    Carbon Herren". Only names that both texts give count, so a line written in one
    language only ("Ergonomic Carrier Air Mesh") never does. A code that one title
    gives after the brand and the other leaves out ("Lumibebe LB-720" against
    "Lumibebe Babyphone") is no conflict: listings often keep the code for the
    description. It is when the other gives another ("Glide M3" against "Glide M2").

    With the whole texts (``text_a``, ``text_b``), what a title qualifies is looked for in
    the other's whole text: a title that gives the brand alone ("Rolla Foldable Stroller")
    and names its line in the description ("The Rolla Lite is...") is no other model. Nor,
    with ``brands`` (the query's ``brand_words``), is one whose brand stands alone while the
    other's brand has a line ("Rolla Lite"): a listing that names no line says nothing of it.
    Grouped cross-validation on 907 queries: hard top1 0.951 -> 0.953, auto recall 0.541 ->
    0.559 at precision 0.944 -> 0.941; catalog recall 0.659 -> 0.666 at precision 1.000.
    """
    evidence_a, evidence_b = extract(a), extract(b)
    codes_a = _model_codes(evidence_a, evidence_b) | _short_codes(a)
    codes_b = _model_codes(evidence_b, evidence_a) | _short_codes(b)
    tokens_a, tokens_b = _designation_tokens(a), _designation_tokens(b)
    if _extended_code(codes_a, codes_b, frozenset(tokens_a), frozenset(tokens_b)) or _short_codes_differ(a, b):
        return True
    if _counted_lines_differ(a, b):
        return True
    designations_a, designations_b = _designations(tokens_a), _designations(tokens_b)
    # Where each side's qualifiers are looked up: the other's whole text when given, else its title.
    if text_a is None or text_b is None:
        said_a, said_b, words_a, words_b = a, b, tokens_a, tokens_b
    else:
        said_a, said_b = text_a, text_b
        words_a, words_b = _designation_tokens(text_a), _designation_tokens(text_b)
    for name in designations_a.keys() & designations_b.keys():
        for mine, theirs, text, tokens, own_tokens in (
            (designations_a[name], designations_b[name], said_b, words_b, words_a),
            (designations_b[name], designations_a[name], said_a, words_a, words_b),
        ):
            if any(
                not _says(text, tokens, q)
                and not _said_glued(q, own_tokens, tokens)
                and (theirs or (name not in brands and not _CODE_QUALIFIER.fullmatch(q)))
                for q in mine
            ):
                return True
    return False


# Parts of a kit in the five languages (accent-folded): a listing that says it comes
# without one ("sin batería ni cargador", "ohne Deckel", "不含遥控器", "Tool Only")
# and another that names it describe two kits of one product.
KIT_PARTS = {
    "battery": (
        "battery", "batteries", "batterie", "batterien", "bateria", "baterias", "pila", "pilas", "pile", "piles",
        "akku", "akkus", "电池",
    ),
    "charger": ("charger", "chargeur", "cargador", "ladegerat", "充电器"),
    "lid": ("lid", "couvercle", "tapa", "deckel", "锅盖", "盖子"),
    "remote": ("remote", "telecommande", "mando a distancia", "fernbedienung", "遥控器", "遥控手柄"),
    "stand": ("stand", "support", "soporte", "standfuss", "stander", "支架", "底座"),
    "case": (
        "carry case", "carrying case", "gig bag", "mallette", "housse", "etui", "funda", "maletin", "estuche", "koffer",
        "tasche", "收纳包", "琴包", "琴盒", "工具箱", "外套", "布套", "保护套",
    ),
    "bow": ("violin bow", "archet", "geigenbogen", "琴弓"),
    "chest strap": (
        "chest strap", "chest straps", "heart rate strap", "ceinture thoracique", "ceinture cardio", "banda de pecho",
        "banda pectoral", "brustgurt", "心率带", "胸带",
    ),
    "bindings": ("bindings", "binding", "fixations", "fijaciones", "bindung", "固定器"),
    "cabinet": ("cabinet", "meuble", "mueble", "unterschrank", "底柜"),
    "pen": ("stylus", "stylet", "lapiz", "eingabestift", "stift", "手写笔", "无源笔"),
    "power supply": (
        "power supply", "power adapter", "ac adapter", "psu", "netzteil", "bloc d'alimentation", "bloc secteur",
        "fuente de alimentacion", "adaptador de corriente", "电源适配器", "适配器",
    ),
    "controller": ("controller", "controllers", "controlador", "controleur", "manette", "控制器"),
    "cloth": (
        "microfibre cloth", "microfiber cloth", "microfibre", "microfiber", "microfibres", "microfibers",
        "mikrofasertuch", "mikrofasertucher", "microfibra", "microfibras", "超细纤维毛巾", "纤维毛巾", "擦车巾",
    ),
    "applicator": (
        "applicator", "applicateur", "aplicador", "applikator", "sponge", "eponge", "esponja", "schwamm",
        "auftragsschwamm", "海绵",
    ),
    "cutlery": ("cutlery", "couverts", "cubiertos", "besteck", "餐具", "勺叉"),
    "bench": ("bench", "banquette", "banqueta", "klavierbank", "sitzbank", "琴凳"),
    "pedal": ("sustain pedal", "pedal", "pedale", "pedales", "踏板"),
    "empty station": (
        "auto-empty station", "self-empty station", "self-emptying station", "auto-empty base", "absaugstation",
        "entleerungsstation", "station d'auto-vidage", "station de vidage", "estacion de autovaciado",
        "base de autovaciado", "集尘基站", "集尘站", "自动集尘",
    ),
    "memory card": (
        "memory card", "microsd card", "micro sd card", "microsd", "sd card", "tf card", "carte memoire",
        "carte microsd", "carte sd", "tarjeta microsd", "tarjeta de memoria", "tarjeta sd", "speicherkarte",
        "microsd-karte", "sd-karte", "内存卡", "存储卡", "tf卡",
    ),
    "guide rail": (
        "guide rail", "guide rails", "rail de guidage", "rail guide", "carril guia", "riel guia", "fuhrungsschiene",
        "导轨",
    ),
    # A paint-by-numbers canvas on its stretcher frame, or rolled ("带内框" against "ohne Rahmen").
    "frame": ("frame", "cadre", "marco", "rahmen", "内框", "画框"),
    "chair": ("chair", "chaise", "silla", "stuhl", "椅子"),
    # A changing backpack's fold-out crib ("se vende sin la cuna" against "折叠婴儿床款").
    "crib": ("crib", "cot", "bassinet", "cuna", "berceau", "babybett", "reisebett", "婴儿床"),
    # A chalk line's chalk ("livré sans poudre" against "with 115 g Blue Chalk").
    "chalk": ("chalk", "craie", "poudre", "tiza", "kreide", "粉笔灰", "划线粉"),
    # A camera's kit lens, which a body sold alone leaves out (_BODY_ONLY).
    "kit lens": (
        "kit lens", "kit-objektiv", "kitobjektiv", "objectif du kit", "objectif kit", "objetivo del kit",
        "objetivo kit", "套机镜头", "套机",
    ),
    "accessories": (
        "accessories", "accessory kit", "accessory set", "accessoires", "accesorios", "zubehor", "zubehorset",
        "配件",
    ),
}
# German nouns that end a compound naming the part: "Transportkoffer", "Doppelladegerät",
# "Ersatzakku", "9-V-Blockbatterie", "Glasdeckel", "Staubsaugerzubehör".
_COMPOUND_HEADS = frozenset(
    "koffer tasche akku akkus batterie batterien ladegerat deckel netzteil fernbedienung zubehor".split()
)
_ARTICLE = r"(?:(?:the|le|la|les|l'|el|los|las|den|die|das|any|une?|a)[ \t]+)?"
_NOT_INCLUDED = (
    r"(?:not included|non incluse?s?|no incluid[oa]s?|nicht (?:enthalten|inklusive|im lieferumfang)"
    r"|no incluye|does not include|doesn't include|not supplied|non fournie?s?|n'inclut pas"
    r"|no (?:estan?|son|vienen?|van) incluid[oa]s?|ne sont pas inclus(?:es)?|n'est pas inclus(?:e)?"
    r"|(?:sold|available) separately|vendue?s? separement|disponibles? separement|se venden? por separado"
    r"|(?:als zubehor )?separat erhaltlich|als zubehor erhaltlich|en option)"
)
_CJK_WITHOUT = "不含|不带|不配|无(?!线)|未含|不附|免"  # 无线 is wireless; 免电池 needs no battery
# "No more AA batteries", "no need for a charger": what a product spares you, not what its box leaves out.
_NOT_NO_MORE = r"(?!(?:more|longer|need|plus besoin|mas|mehr)\b)"
_TOOL_ONLY = re.compile(r"\b(?:tool only|body only|bare tool|solo herramienta|outil seul|nur werkzeug|solo-werkzeug)\b")
_BODY_ONLY = re.compile(r"\b(?:body only|nur gehause|boitier nu|boitier seul|solo cuerpo|cuerpo solo)\b|单机身|机身单")
_UNIT_ONLY = re.compile(r"\b(?:einzelgerat|unit only|appareil seul|solo (?:el )?aparato)\b|仅主机|单主机|裸机")


# Words that name a part only where a text leaves it out: "Tweezers Only, Case Not Included",
# "without case" (elsewhere "case" is a phone case, a carry case, "in case of").
_EXCLUDED_ONLY_WORDS = {"case": ("case",)}


def _kit_patterns() -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    """Per part: what excludes it, and where it is named."""
    patterns = {}
    for part, words in KIT_PARTS.items():
        latin = "|".join(
            f"[a-z]*{re.escape(w)}" if w in _COMPOUND_HEADS else re.escape(w)
            for w in sorted((w for w in words if w.isascii()), key=len, reverse=True)
        )
        named_latin = latin
        latin = "|".join((latin, *(re.escape(w) for w in _EXCLUDED_ONLY_WORDS.get(part, ()))))
        cjk = "|".join(re.escape(w) for w in words if not w.isascii())
        # "Mando a distancia, pilas no incluidas": the batteries are left out, not the remote.
        gap = r"[^.;\n–—:()]" if part == "battery" else r"(?:(?!pilas?|piles?|batter|akku)[^.;\n–—:()])"
        excluded = re.compile(
            # "without (the) X", up to two words between; "no (spare) X", one ("si no abres la tapa" is
            # no lid left out); "sin pilas ni cargador", not "sans scintillement et un chargeur";
            # "X not included", not across a dash or bracket ("charger only – cables are not included",
            # "remote included (batteries not included)"); "不含X"
            rf"\b(?:{_EXCLUDING})[ \t]+{_NOT_NO_MORE}{_ARTICLE}(?:[a-z0-9-]+[ \t]+){{0,2}}?(?:{latin})\b"
            rf"|\bno[ \t]+{_NOT_NO_MORE}(?:[a-z0-9-]+[ \t]+)?(?:{latin})\b"
            rf"|\b(?:{_EXCLUDING}|no)[ \t]+(?:[a-z0-9,-]+[ \t]+){{0,3}}?(?:ni|nor|noch|ou|or|oder|und|and|et|y)[ \t]+"
            rf"(?!(?:un|une|a|an|ein|eine|einen|uno|una)\b){_ARTICLE}(?:{latin})\b"
            rf"|\b(?:{latin})\b{gap}{{0,30}}{_NOT_INCLUDED}"
            rf"|\b(?:{latin})[ -]?(?:free|less)\b"  # "battery-free", "batteryless"
            rf"|(?:{_CJK_WITHOUT})[^，。,;；\s]{{0,4}}(?:{cjk})"
            rf"|(?:{cjk})[^，。,;；\s]{{0,6}}(?:需另购|另购|另售|单独购买)"
        )
        named = re.compile(rf"(?<![a-z])(?:{named_latin})(?![a-z])|{cjk}")
        patterns[part] = (excluded, named)
    return patterns


_KIT_PATTERNS = _kit_patterns()


_PART_FREE_AFTER = re.compile(r"[ -]?(?:free|less)\b")  # "Battery-free" names no battery
_EXCLUDED_JUST_BEFORE = re.compile(rf"\b(?:{_EXCLUDING}|no)\b|{_CJK_WITHOUT}")
_NOT_INCLUDED_AFTER = re.compile(_NOT_INCLUDED)


# A weight given without a part ("Peso en vacío: 5,2 kg (sin batería)", "3.1 lbs (without
# battery)") leaves nothing out of the kit.
_WEIGHT_WITHOUT = re.compile(
    r"\b(?:weight|weighs|peso|poids|gewicht)\b[^\n(]{0,40}\((?:without|sin|sans|ohne|excl\.?)[^)\n]{0,40}\)"
    r"|\b\d+(?:[.,]\d+)? ?(?:g|kg|lbs?|oz)\s+(?:without|sin|sans|ohne|excl\.?)\s+(?:the |las |les |die )?\w+"
)
# Consumable cells that a device runs on, never part of its kit: "2节5号AA电池(需另购)", "piles AA
# non incluses", "uses 2 x AAA batteries", "CR2032 included". A listing that names them says
# nothing of what the other leaves out.
_CONSUMABLE_BATTERY = re.compile(
    r"(?:\b(?:aa|aaa|lr6|lr03|lr44|ag13|cr\d{4}|mignon|micro)\b|[57]号|纽扣)[^.;,\n]{0,12}?"
    r"(?:batter\w*|pilas?|piles?|akkus?|电池)|(?:batter\w*|pilas?|piles?|电池)[^.;,\n]{0,6}?"
    r"\b(?:aa|aaa|lr6|lr03|lr44|cr\d{4})\b|(?:button cell|pile bouton|knopfzelle|pila de boton|纽扣电池)"
)
# A part a product does not need, rather than one its box leaves out: "keine Batterie nötig",
# "no battery required", "sin necesidad de pilas".
_NOT_NEEDED = re.compile(
    r"\b(?:no|keine?n?|sin|sans|pas de)\s+(?:\w+\s+)?(?:batter\w*|pilas?|piles?|akkus?)\s+"
    r"(?:notig|erforderlich|necesari[oa]s?|necessaires?|needed|required)\b|\bsin necesidad de (?:pilas|baterias)\b"
)
# A pen that needs no battery ("lápiz sin batería", "stylet sans batterie") leaves no
# battery out of a tablet's kit.
_BATTERY_FREE_PEN = re.compile(
    r"\b(?:lapiz|stylet|stift|eingabestift|stylus|pen|pluma)\s+(?:sin|sans|ohne|without)\s+"
    r"(?:bateria|batterie|akku|battery)s?\b"
    r"|\b(?:battery|batterie|akku)[ -]?(?:free|frei|less|los)\s+(?:pen|stylus|stift|eingabestift|stylet)\b"
)


@functools.lru_cache(maxsize=20_000)
def _kit(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The kit parts a text leaves out, and those it names outside an exclusion
    ("ohne Akku", "battery not included" name none). Cached per text."""
    folded = _WEIGHT_WITHOUT.sub(" ", _BATTERY_FREE_PEN.sub(" ", _fold(text)))
    folded = _NOT_NEEDED.sub(" ", _CONSUMABLE_BATTERY.sub(" ", folded))
    left_out = {part for part, (excluded, _) in _KIT_PATTERNS.items() if excluded.search(folded)}
    if _TOOL_ONLY.search(folded):
        left_out |= {"battery", "charger"}
    if _UNIT_ONLY.search(folded):
        left_out.add("accessories")
    if _BODY_ONLY.search(folded):
        left_out.add("kit lens")
    named = set()
    for part, (_, names) in _KIT_PATTERNS.items():
        for match in names.finditer(folded):
            before = folded[max(0, match.start() - 20) : match.start()]
            if (
                not _EXCLUDED_JUST_BEFORE.search(before)
                and not _NOT_INCLUDED_AFTER.search(folded, match.end(), match.end() + 25)
                and not _PART_FREE_AFTER.match(folded, match.end())
            ):
                named.add(part)
                break
    return frozenset(left_out), frozenset(named)


def kit_conflict(a: str, b: str) -> bool:
    """Whether one text leaves out a part of the kit (KIT_PARTS: battery, charger, lid, remote,
    stand, case, bindings, cabinet, pen, power supply, controller, cloth, applicator, bench, pedal,
    a robot vacuum's empty station, a canvas's frame, a desk's chair, a camera's kit lens, accessories;
    "Einzelgerät" leaves the accessories out, "Body Only" the kit lens)
    that the other names, or the two count a part differently ("单电4.0Ah" against "2 x 4,0 Ah Akkus").

    On the dev set (862 queries): 1 of 2,050 true pairs ("sans lumière télécommande" read
    as without a remote), 67 of 3,972 false ones.
    """
    (left_out_a, named_a), (left_out_b, named_b) = _kit(a), _kit(b)
    if (left_out_a - left_out_b) & named_b or (left_out_b - left_out_a) & named_a:
        return True
    counts_a, counts_b = _part_counts(a), _part_counts(b)
    return any(not counts_a[part] & counts_b[part] for part in counts_a.keys() & counts_b.keys())


# Parts a kit holds a number of: "2 x 4,0 Ah Akkus", "1 seule manette", "two batteries",
# "双电池", "单电4.0Ah", "送2个有线手柄". Not "8 horas de batería", "7号电池" (AAA) or "KID-20 Akku".
COUNTED_PARTS = {
    "battery": (
        ("battery", "batteries", "batterie", "bateria", "baterias", "akku", "akkus", "akkupack", "pila", "pilas"),
        r"电池|电(?=\s?\d)",
    ),
    "controller": (
        ("controller", "controllers", "manette", "manettes", "mando", "mandos", "gamepad", "gamepads"),
        "手柄",
    ),
    # Rolls of a lint roller, a label printer or a kids' print camera: "1 Griff + 6 Rollen", "1手柄+3卷".
    "roll": (("roll", "rolls", "rolle", "rollen", "rouleau", "rouleaux", "rollo", "rollos", "refill", "refills"), "卷"),
}
_COUNT_WORDS = {
    "one": 1, "single": 1, "un": 1, "une": 1, "uno": 1, "una": 1, "ein": 1, "eine": 1, "einem": 1, "einer": 1,
    "two": 2, "deux": 2, "dos": 2, "zwei": 2, "twin": 2, "dual": 2,
    "three": 3, "trois": 3, "tres": 3, "drei": 3, "four": 4, "quatre": 4, "cuatro": 4, "vier": 4,
}
_CJK_COUNTS = {"一": 1, "单": 1, "两": 2, "二": 2, "双": 2, "三": 3, "四": 4}
# Words between a count and its part that belong to another number ("8 horas de batería").
_NOT_BETWEEN = (
    r"(?:hours?|horas?|heures?|stunden?|std|minutes?|minutos?|min|days?|jours?|dias?|tagen?|years?|ans?|anos?"
    r"|jahren?|months?|mois|meses|monaten?|de|of|d|von|mit|with|avec|con)\b"
)


def _counted_part_patterns() -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    words = "|".join(_COUNT_WORDS)
    patterns = {}
    for part, (latin, cjk) in COUNTED_PARTS.items():
        names = "|".join(sorted(latin, key=len, reverse=True))
        patterns[part] = (
            re.compile(
                # "2 x 4,0 Ah Akkus"; "1 seule manette filaire", "two spare batteries"
                rf"(?<![\w.,-])(?:(\d{{1,2}}|{words})\s?[x×]\s(?:\S+\s){{0,3}}?"
                rf"|(\d{{1,2}}|{words})(?:\s(?:seule?s?|solo|einzige[rn]?|only))?\s"
                rf"(?:(?!{_NOT_BETWEEN})[a-z-]+\s){{0,2}}?)"
                rf"(?:{names})(?![a-z-])(?!\s+a\s+distancia)"  # "Akku-Sauger" is cordless; "mando a distancia" a remote
            ),
            re.compile(rf"(?<![0-9A-Za-z.])([0-9]|[一单两二双三四])\s?[个块节只颗]?[\u4e00-\u9fff]{{0,4}}?(?<!号)(?:{cjk})"),
        )
    return patterns


_COUNTED_PART_PATTERNS = _counted_part_patterns()


@functools.lru_cache(maxsize=20_000)
def _part_counts(text: str) -> dict[str, frozenset[int]]:
    """How many of each COUNTED_PARTS a text says the kit holds: {"battery": {2}}. Cached per text."""
    folded = _WEIGHT_WITHOUT.sub(" ", _fold(text))  # "38 g without batteries" counts no 38 batteries
    found = {}
    for part, (latin, cjk) in _COUNTED_PART_PATTERNS.items():
        counts = set()
        for match in latin.finditer(folded):
            raw = match.group(1) or match.group(2)
            counts.add(int(raw) if raw.isdigit() else _COUNT_WORDS[raw])
        for match in cjk.finditer(text):
            raw = match.group(1)
            counts.add(int(raw) if raw.isdigit() else _CJK_COUNTS[raw])
        if counts:
            found[part] = frozenset(counts)
    return found


def pack_one_sided(title_a: str, text_a: str, title_b: str, text_b: str) -> bool:
    """Whether one title sells a pack (2 or more) and the other whole text gives no count at all.

    Evidence, not a contradiction: a listing may leave the count out ("Pack of 2"
    against a text that never says how many). On the dev set (775 queries) 44 of
    1,853 true pairs and 313 of 3,546 false ones. As a fusion feature, grouped 5-fold CV on the
    sibling files (when it was added): out-of-fold auto precision 0.903 -> 0.911, recall 0.522 -> 0.549.
    A set's pieces count the pack only when they are as many: "3er-Set" against "3-teilig" is one
    pack, against "120件套" (a first-aid kit's pieces) it is three kits.
    """
    for title, other in ((title_a, text_b), (title_b, text_a)):
        packs = {v for d, v in extract(title).quantities if d == "count" and v >= 2}
        theirs = extract(other).quantities
        if packs and not any(d == "count" or (d == "pieces" and v in packs) for d, v in theirs):
            return True
    return False


# A model code a text declares as its own: "Modell HS-6.", "Model LQ-A32RG", "Réf. VR-A8C",
# "型号：KX-10", "Art.-Nr. 4711-B"; then the code as a letter prefix and the rest ("HS", "6").
_DECLARED_CODE = re.compile(
    r"(?:\b(?:model|modell|modele|modèle|modelo|ref|réf|reference|référence|referencia|art\.?-?nr|artikelnummer)"
    r"\b\.?\s?(?:no\.?|nr\.?|n°|nº)?\s?[:：]?\s?|型号\s?[:：]?\s?)([A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*)",
    re.IGNORECASE,
)
_PREFIXED_CODE = re.compile(r"(?<![\w-])([A-Za-z]{1,5})-?(\d[A-Za-z0-9-]*)(?![\w-])")


def _prefixed_codes(text: str) -> set[tuple[str, str]]:
    return {(m.group(1).upper(), m.group(2).upper().replace("-", "")) for m in _PREFIXED_CODE.finditer(text)}


@functools.lru_cache(maxsize=20_000)
def _declared_codes(text: str) -> frozenset[tuple[str, str]]:
    """The model codes a text declares as its own ("Modell HS-6" -> {("HS", "6")}). Cached per text."""
    return frozenset(code for match in _DECLARED_CODE.finditer(text) for code in _prefixed_codes(match.group(1)))


def declared_model_conflict(a: str, b: str) -> bool:
    """Whether a model code one text declares ("Modell HS-6", "型号：SE-9") differs from every
    code of the same prefix in the other's title or declarations (HS-7; HS-6D), and the other
    has one. A title may leave its code out and give it in the description; siblings share the prefix.

    On the dev set (775 queries): 0 of 1,853 true pairs, 94 of 3,546 false ones.
    """
    for mine, theirs in ((a, b), (b, a)):
        declared = _declared_codes(mine)
        if not declared:
            continue
        prefixes = {prefix for prefix, _ in declared}
        line = theirs.strip().split("\n", 1)[0]
        same_line = {code for code in _prefixed_codes(line) | _declared_codes(theirs) if code[0] in prefixes}
        if same_line and not any(
            prefix == other_prefix and (code == other or colour_of(code, other) or colour_of(other, code))
            for prefix, code in declared
            for other_prefix, other in same_line
        ):
            return True
    return False


# A title that sells a set or bundle: "Set mit 2 Zusatzbehältern", "Coffret ... + brosse",
# "Komplettset", "Gift Set", "套装", "礼盒". Not "3-in-1", "Pack de 2", "2er-Set" or "Set of 2"
# (counts of one thing: pack_one_sided).
_BUNDLE = re.compile(
    r"(?<![a-z])(?<!\der-)(?<!\der )(?<!\der)"
    r"(?:set(?! of \d| de \d)|gift set|geschenkset|coffret|bundle|komplettset|komplettpaket|starterset|estuche"
    r"|kit completo|pack completo|combo kit|startset|starter ?kit|starter ?pack|startpaket|starterpaket|einsteigerset"
    r"|kit de inicio|kit de demarrage|kit d'initiation|full kit|complete kit|kit complet|ensemble"
    # German compounds on -set: "Kochset", "Zubehörset", "Pflegeset"; not "Headset", "Reset", "Handset", "Closet".
    r"|[a-z]{3,}(?<!head)(?<!hand)(?<!chip)(?<!clo)(?<!cor)(?<!re)(?<!off)(?<!sun)(?<!pre)(?<!mind)(?<!out)(?<!up)"
    r"(?<!type)(?<!data)(?<!sub)(?<!in)(?<!on)(?<!as)(?<!doppel)(?<!zweier)(?<!dreier)set)"
    r"(?![a-z])|套装|套餐|礼盒|全套"
    # A pack that bundles things: "Studio Pack", "Pack Skyrest Aero 140 + annexe" (not "Pack de 2", "4-Pack").
    r"|(?<![a-z])(?:studio|creator|podcast|streaming|recording|gaming|travel|essentials?|combo) pack(?![a-z])"
    r"|(?:^|[–—|] ?)pack(?= [a-z])(?! (?:of|de|mit|x) )"
    # Extra items added on, counted: "+ 2 Ersatzfilter", "+ 3 cilindros CO2", "+ 6个储存杯", "+ 美容剪刀3件套".
    r"|(?<=\s)\+ ?(?:[2-9]|1[0-9]) ?(?:x ?)?(?!(?:gb|tb|mb|mah|wh|w|v|a|m|cm|mm|l|ml|g|kg|hz|k|p|db|d)(?![a-z]))[a-z]"
    r"|\+ ?[0-9两二三四五六七八九十]+ ?[个只件支瓶袋盒套片包卷]|\+[^+]{0,12}[0-9两二三四五]件套"
    # Another product added on by its own model code: "VD-10HP Dryer + VW-10 Washing Machine".
    r"|(?<=\s)\+ ?(?!(?:usb|ddr|pcie|hdmi|obd|wi|type|ant|gps|lte|dab|ip|ipx|spf|bt|cat)-)[a-z]{2,4}-\d{1,4}[a-z]{0,3}"
    r"(?![a-z0-9-])"
)


_KIT_WORD = re.compile(r"(?<![a-z])kit(?![a-z])")


def bundle_one_sided(title_a: str, title_b: str) -> bool:
    """Whether one title sells a set or bundle and the other does not call itself one.

    Evidence, not a contradiction: "set" is also what some products are (a bedding
    set, 雪板套装 for a ski with its bindings), and a listing may leave the word out.
    On the dev set (862 queries) 60 of 2,050 true pairs and 180 of 3,972 false ones (a
    count read as a set, "2er-Set" against "lot de 2", was 25 of the true ones).
    As a fusion feature, grouped 5-fold CV on the 300 hard fitted queries then: top1 0.937
    -> 0.940, out-of-fold auto precision 0.940 -> 0.945 at recall 0.495 -> 0.512.
    """
    if _found(_BUNDLE, title_a) == _found(_BUNDLE, title_b):
        return False
    bundle, other = (title_a, title_b) if _found(_BUNDLE, title_a) else (title_b, title_a)
    # A kit is as much a set ("Kit éclairage" against "Fahrradlicht-Set"), and a title that counts
    # the set's pieces ("4 piezas" against "Set, 4 Pieces") sells the same set.
    pieces = {v for d, v in extract(bundle).quantities if d == "pieces"}
    counted = {v for d, v in extract(other).quantities if d in ("pieces", "count")}
    return not (_found(_KIT_WORD, other) or pieces & counted)


# A pack or bundle offer in a description, said once and often only there: "Lot de 2 : un pour
# la voiture", "Vorteilspack: 2 Geräte im Set", "Set-Angebot: inklusive 2 Kühlakkus", "Pack ahorro:
# incluye la funda", "Gift bundle: 2-pack", "两件套：同款蓝色2个装". Not a bare "set" ("set the
# timer"), a kit's contents ("套装包含", "coffret" for a case) nor a count of parts ("2 x AA batteries").
_OFFER = re.compile(
    r"(?<![a-z])(?:(?:lot de|pack of|set of|paquete de|pack de|juego de|packung mit|lote de) (?:[2-9]|1\d)"
    r"|[2-9]er[- ]?(?:pack|set)|[2-9][- ]pack|(?:twin|double|dual|value|family|gift|saver) ?(?:pack|set|bundle)"
    r"|doppelpack|vorteilspack|sparpack|set-angebot|pack ahorro|pack eco\w*|bundle)(?![a-z])"
    r"|两件套|三件套|[两二三四2-9][个只件支瓶袋盒套台]装"
    # Something added on, said in the description: "Ce pack inclut en plus un micro-cravate", "además
    # del medidor incluye el trípode", "In diesem Set erhalten Sie zwei Lumora Hub 8".
    r"|\b(?:inclut|incluye|includes|enthalt) (?:en plus|ademas|additionally|zusatzlich)\b"
    r"|\b(?:en plus|ademas|additionally|zusatzlich) (?:inclut|incluye|includes|enthalt)\b|\bademas del \w+ incluye\b"
    r"|\b(?:in (?:diesem|this) (?:set|pack|bundle)|dans ce (?:lot|pack|coffret)|en este (?:pack|lote))\b"
    r"[^.\n]{0,40}\b(?:zwei|drei|vier|two|three|four|deux|trois|quatre|dos|tres|cuatro|[2-9])\b"
)


def offer_one_sided(text_a: str, text_b: str) -> bool:
    """Whether one text's description sells a pack or bundle (``_OFFER``) and the other text never does.

    The title may say nothing of it: the description is where a seller adds "Lot de 2 : un
    pour la voiture, un pour le garage". Evidence, not a contradiction (a listing may leave
    the pack out of its title and its description alike).
    """
    for mine, theirs in ((text_a, text_b), (text_b, text_a)):
        lines = mine.strip().split("\n")
        description = "\n".join(lines[2:] if brand_line(lines[0].strip()) else lines[1:])
        if description and _found(_OFFER, description) and not _found(_OFFER, theirs):
            return True
    return False


# What a listing says its box leaves out, whatever the part: "Guide rail sold separately",
# "grille nid d'abeille vendue séparément", "Seitenvorhänge separat erhältlich", "需另购",
# "Deck only", "Wrench only", "– solo cometa, sin líneas".
_LEFT_OUT = re.compile(
    rf"{_NOT_INCLUDED}|需另购|另购|另售|不含|不附|未含|单独购买"
    r"|(?<![a-z])(?:tool|body|deck|frame|unit|watch|wrench|instrument|grip|strap|board|saw|lamp|pump) only\b"
    r"|(?:[–:(|]|\s-) ?(?:solo|seulement|uniquement|nur) (?:el |la |le |der |die |das )?[a-z]+(?= ?(?:$|[,;(–\n]))"
)


def left_out_one_sided(text_a: str, text_b: str) -> bool:
    """Whether one text says its box leaves something out (``_LEFT_OUT``) and the other never does.

    Evidence, not a contradiction: the other listing may leave the same part out without
    saying so, and what is left out may be a consumable both leave out.
    """
    return _found(_LEFT_OUT, text_a) != _found(_LEFT_OUT, text_b)


# A spare or replacement part in a title: "Lente de recambio", "Ersatzfilter", "filtres de
# rechange", "替换刷头", "备用".
_SPARE = re.compile(
    r"(?<![a-z])(?:replacement|spare|ersatz\w*|de rechange|de remplacement|recambio|repuesto)(?![a-z])"
    r"|替换|更换装|备用"
)


# A spare that comes with the product rather than one sold alone: "Spare Shaving Foil & Brush
# Included", "lame de rechange incluse", "mit Ersatzklinge", "+ 2 replacement heads", "附赠备用刷头".
_SPARE_INCLUDED_AFTER = re.compile(
    r"[^,;|–—()\n]{0,30}?(?<![a-z])(?:included|incl|inclus|incluse?s?|incluid[oa]s?|inklusive|inkl|enthalten"
    r"|fourni[es]{0,2}|offert[es]{0,2})(?![a-z])"
)
_SPARE_INCLUDED_BEFORE = re.compile(
    r"(?:(?<![a-z])(?:with|avec|mit|con|incl|inkl|including|incluye|inclut|plus)\.?|\+)\s+(?:[\w-]+\s+){0,2}$"
    r"|(?:附|送|赠|含)[^，,\s]{0,6}$"
)


def _sells_spare(title: str) -> bool:
    """Whether a title sells a spare or replacement part (``_SPARE``), not one that comes with the product."""
    folded = _fold(title)
    return any(
        not _SPARE_INCLUDED_AFTER.match(folded, match.end())
        and not _SPARE_INCLUDED_BEFORE.search(folded[max(0, match.start() - 30) : match.start()])
        for match in _SPARE.finditer(folded)
    )


def spare_one_sided(title_a: str, title_b: str) -> bool:
    """Whether one title sells a spare or replacement part and the other never says so.

    Evidence, not a contradiction: a title may also name the spare it comes with; one said to
    come with the product ("Spare Foil Included", "mit 2 Ersatzbürsten", "附赠备用片") sells none
    (``_sells_spare``), and "4 replacement filters" still reads as one that does. On the dev
    set (775 queries) 10 of 1,853 true pairs and 150 of 3,546 false ones. As a fusion feature,
    grouped 5-fold CV on the 435 hard fitted queries: top1 0.931 -> 0.936, precision at 60 %
    recall 0.920 -> 0.926.
    """
    return _sells_spare(title_a) != _sells_spare(title_b)


# A stainless-steel finish: "Edelstahl", "inox", "acier inoxydable", 不锈钢.
_STAINLESS = re.compile(r"(?<![a-z])(?:stainless|inox\w*|edelstahl\w*)(?![a-z])|不锈钢")
_METAL_COLOURS = frozenset(float(_COLOUR_INDEX[name]) for name in ("silver", "grey"))


def _colours(text: str) -> frozenset[float]:
    return frozenset(v for d, v in extract(text).quantities if d == "colour") - _METAL_COLOURS


def finish_conflict(title_a: str, text_a: str, title_b: str, text_b: str) -> bool:
    """Whether one title sells a stainless-steel finish and names no other colour in its whole text,
    while the other text gives a colour ("Mattschwarz", "Kupfer-Optik", "cadre noir") and never says stainless.

    Evidence, not a contradiction: stainless steel is also a material under a painted body. A
    line sold in stainless steel and in black is told apart by the one word of the finish.
    """
    for title, text, other in ((title_a, text_a, text_b), (title_b, text_b, text_a)):
        if _found(_STAINLESS, title) and not _found(_STAINLESS, other) and not _colours(text) and _colours(other):
            return True
    return False


def region_one_sided(a: str, b: str) -> bool:
    """Whether one text says it is made for a market outside Europe (US, UK, HK, mainland
    China, Japan: "US version", "美版", "North American model", "120 V 60 Hz", "日版") and the
    other names no market.

    Evidence, not a contradiction (a listing may name its market or not): on the dev set
    (775 queries) 3 of 1,853 true pairs and 59 of 3,546 false ones.
    """
    return bool(attributes(a).get("region", frozenset()) - {"eu"}) != bool(
        attributes(b).get("region", frozenset()) - {"eu"}
    )


# A listing that calls itself a version or edition ("Die Long-Edition des AirWave
# LA-5", "La versión Connect de la SlimBar", "Version SL (Slim Line)", "英国版本").
_VERSION_WORD = re.compile(r"(?<![a-z])(?:versions?|editions?|edicion|ausfuhrung|variante?)(?![a-z])|版本|款式")


# A generation or model year a listing states: "Gen 2", "2nd Gen", "2. Generation", "2e génération",
# "(Modell 2024)", "2024款", "二代", "第二代", "Mk3"; not "新一代" (a new generation, unnumbered), the end
# of a range of years ("2021-2024款" fits four model years), nor the
# generation of a standard ("PCIe Gen 4", "USB 3.2 Gen 2").
_GENERATION = re.compile(
    r"(?<![a-z])(?<!pcie )(?<!\d\.\d )gen(?:eration)?\.? ?([1-9])(?![0-9x])"
    r"|(?<![0-9.,])([1-9])(?:st|nd|rd|th|\.|e|eme|re|a|ª)? ?gen(?:eration|eracion)?(?![a-z])"
    r"|(?<![a-z])(?:modell|model|modelo|modele|jahrgang) ?(20[1-3][0-9])(?![0-9])"
    r"|(?<![0-9])(?<![0-9][-–~])(20[1-3][0-9]) ?(?:model|款|版)|第([一二三四五])代|(?<![新一第])([二三四五])代"
    r"|(?<![a-z])mk\.? ?([1-9]|iii|ii|iv)(?![a-z0-9])"
)
_CJK_ORDINALS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "ii": "2", "iii": "3", "iv": "4"}


@functools.lru_cache(maxsize=20_000)
def _generations(text: str) -> frozenset[str]:
    """The generations and model years a text states: {"2"}, {"2024"}. Cached per text."""
    found = set()
    for match in _GENERATION.finditer(_fold(text)):
        value = next(group for group in match.groups() if group)
        found.add(_CJK_ORDINALS.get(value, value))
    return frozenset(found)


def version_one_sided(a: str, b: str) -> bool:
    """Whether one text speaks of a version or edition and the other never does, or the two state
    other generations or model years ("Gen 2" against none, "Modell 2024" against "2023款").

    Evidence, not a contradiction (a variant listing often says which version it
    is; "version" also appears in plain descriptions): on the dev set (775 queries)
    32 of 1,853 true pairs and 180 of 3,546 false ones. As a fusion feature, grouped
    5-fold CV on the sibling files (when it was added): top1 0.933 -> 0.957, out-of-fold
    auto precision 0.911 -> 0.918 at recall 0.549 -> 0.576; catalog top1 0.968 -> 0.964 (one query).
    The sibling files were written to one brief, so part of this may be how their
    writers name variants.
    """
    return _found(_VERSION_WORD, a) != _found(_VERSION_WORD, b) or _generations(a) != _generations(b)


@functools.lru_cache(maxsize=50_000)
def _found(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` matches the accent-folded lower-case text. Cached per pattern and text."""
    return bool(pattern.search(_fold(text)))


BRAND_LINE = 30  # characters


def brand_line(line: str) -> bool:
    """Whether a text's first line is a brand alone, which catalog.models.SKU.text puts before a
    title that leaves the brand out ("Rolla" over "Foldable Lightweight Stroller"): one word, not Chinese."""
    return len(line) <= BRAND_LINE and " " not in line and not _CJK.search(line)


# A capitalised Latin word in a title: "Silkea", "VoltEdge", "TerraMax", "LED".
# Chinese around it is no part of the word: "Zestique泽斯蒂", "【Vitaro维他罗旗舰店】".
_CAPITALISED = re.compile(
    r"(?<![0-9A-Za-zÀ-ÿ_-])(?:[A-Z][A-Za-zÀ-ÿ]{2,}|[A-Z]{2,}[a-z]*)(?![0-9A-Za-zÀ-ÿ_-])"
)
_FOLDED_WORD = re.compile(r"[a-z0-9]+")
_LEADING_NOUN = re.compile(r"\s*([A-Z][a-zà-ÿ]{2,})\s+[a-zà-ÿ]")  # "Sensor de", "Semelles chauffantes"


def brand_words(title: str, documents: list[str]) -> set[str]:
    """The query's brand as the candidates show it: the first capitalised word of its
    title that at least half of the documents (and two or more) also give; empty when none does.
    A Spanish or French title's opening noun ("Sensor de temperatura ... QUILTA") gives way
    to a later word that qualifies too: candidates in Spanish and English share that noun.

    Translations keep a brand; they translate the nouns around it. So the first word
    that other-language listings share with the query is its brand ("Silkea"), not
    "Depiladora"; names of standards (Bluetooth, HDMI) do not count. Only the first:
    a rival brand's "Wet & Dry" epilator shares the words after it. Measured by
    grouped cross-validation on the dev set against every shared word: out-of-fold
    auto precision on the sibling files 0.880 -> 0.896, recall 0.491 -> 0.518.
    """
    documents_words = [_folded_words(d) for d in documents]
    needed = max(2, len(documents) / 2)
    shared = {
        word: sum(word in w for w in documents_words)
        for word in dict.fromkeys(_fold(w) for w in _CAPITALISED.findall(title))
        if word not in STANDARDS and word not in STOPWORDS and word not in KIND_INITIALS
    }
    found = [word for word, count in shared.items() if count >= needed]
    leading = _LEADING_NOUN.match(title)
    if leading and len(found) > 1 and found[0] == _fold(leading.group(1)):
        # "Sensor de temperatura ... QUILTA": a Spanish or French title opens with what the product
        # is, and candidates in Spanish and English share that noun; the brand comes after it.
        found = found[1:]
    return set(found[:1])


def lacks_brand(document: str, brands: set[str]) -> bool:
    """Whether a document names none of the query's ``brand_words``: another brand's
    product, or a listing that leaves its brand out (a feature, never a cap)."""
    return bool(brands) and not brands & _folded_words(document)


@functools.lru_cache(maxsize=20_000)
def _folded_words(text: str) -> frozenset[str]:
    return frozenset(_FOLDED_WORD.findall(_fold(text)))


def _contents(evidence: Evidence) -> list[float]:
    """Net contents in ml or g, and their totals for the pack ("2 x 100 ml" is also 200)."""
    contents = [v for d, v in evidence.quantities if d in _CONTENT]
    counts = [v for d, v in evidence.quantities if d == "count"]
    return contents + [v * n for v in contents for n in counts]


def _negates(text: str) -> bool:
    return bool(_NEGATION.search(_NOT_NEGATION.sub(" ", text)))


# Hand-set weights: agreement raises the score, a contradicted quantity or model
# code lowers it sharply. The lexical score is only ordinal; calibration maps it.
LEXICAL_WEIGHTS = (1.2, -2.5, 2.0, -2.0, 3.0, 1.0, -1.0, -1.0)
LEXICAL_BIAS = -2.0


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


class LexicalScorer(Scorer):
    """No model: numbers with units, model codes and brand words shared across languages.

    Deterministic and fast; the scorer for tests and the feature source for e5.
    """

    name = "lexical"
    model_revision = "lexical-50"
    uses_instruction = False

    def score(self, query: str, documents: list[str], instruction: str = "") -> list[float]:
        scores = []
        for document in documents:
            features = pair_features(query, document)
            z = LEXICAL_BIAS + sum(w * f for w, f in zip(LEXICAL_WEIGHTS, features, strict=True))
            scores.append(_sigmoid(z))
        return scores
