"""The languages the assistant speaks, how they are written, and what shoppers call them."""

from babel import Locale, UnknownLocaleError

LAUNCH_LANGUAGES = ["en", "es", "pt", "fr", "de", "it", "ar", "tr", "ru", "zh", "ja", "ko", "id", "vi", "th", "ms"]

#: Written right to left (the web clients flip their layout).
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}

#: Names a shopper may use for a language ("answer in Spanish", "en español", "中文"), lower-cased.
LANGUAGE_NAMES: dict[str, list[str]] = {
    "en": ["english", "inglés", "ingles", "inglês", "anglais", "englisch", "inglese", "الإنجليزية", "ingilizce",
           "английский", "英语", "英文", "英語", "영어", "bahasa inggris", "tiếng anh", "ภาษาอังกฤษ", "bahasa inggeris"],
    "es": ["spanish", "español", "espanol", "castellano", "espanhol", "espagnol", "spanisch", "spagnolo",
           "الإسبانية", "ispanyolca", "испанский", "西班牙语", "スペイン語", "스페인어", "tiếng tây ban nha"],
    "pt": ["portuguese", "português", "portugues", "portugués", "portugais", "portugiesisch", "portoghese",
           "البرتغالية", "portekizce", "португальский", "葡萄牙语", "ポルトガル語", "포르투갈어"],
    "fr": ["french", "français", "francais", "francés", "frances", "francês", "französisch", "francese",
           "الفرنسية", "fransızca", "французский", "法语", "フランス語", "프랑스어"],
    "de": ["german", "deutsch", "alemán", "aleman", "alemão", "allemand", "tedesco", "الألمانية", "almanca",
           "немецкий", "德语", "ドイツ語", "독일어"],
    "it": ["italian", "italiano", "italien", "italienisch", "الإيطالية", "italyanca", "итальянский", "意大利语",
           "イタリア語", "이탈리아어"],
    "ar": ["arabic", "العربية", "عربي", "árabe", "arabe", "arabisch", "arabo", "arapça", "арабский", "阿拉伯语",
           "アラビア語", "아랍어"],
    "tr": ["turkish", "türkçe", "turkce", "turco", "turc", "türkisch", "التركية", "турецкий", "土耳其语", "トルコ語",
           "터키어"],
    "ru": ["russian", "русский", "ruso", "russo", "russe", "russisch", "الروسية", "rusça", "俄语", "ロシア語",
           "러시아어"],
    "zh": ["chinese", "mandarin", "中文", "汉语", "普通话", "chino", "chinês", "chinois", "chinesisch", "cinese",
           "الصينية", "çince", "китайский", "中国語", "중국어", "bahasa cina", "tiếng trung", "ภาษาจีน"],
    "ja": ["japanese", "日本語", "japonés", "japones", "japonês", "japonais", "japanisch", "giapponese",
           "اليابانية", "japonca", "японский", "日语", "일본어"],
    "ko": ["korean", "한국어", "coreano", "coréen", "koreanisch", "الكورية", "korece", "корейский", "韩语", "韓国語"],
    "id": ["indonesian", "bahasa indonesia", "indonesio", "indonésio", "indonésien", "indonesisch",
           "الإندونيسية", "endonezce", "индонезийский", "印尼语", "インドネシア語", "인도네시아어"],
    "vi": ["vietnamese", "tiếng việt", "tieng viet", "vietnamita", "vietnamien", "vietnamesisch",
           "الفيتنامية", "vietnamca", "вьетнамский", "越南语", "ベトナム語", "베트남어"],
    "th": ["thai", "ภาษาไทย", "ไทย", "tailandés", "tailandês", "thaï", "thailändisch", "tailandese", "التايلاندية",
           "tayca", "тайский", "泰语", "タイ語", "태국어"],
    "ms": ["malay", "bahasa melayu", "melayu", "bahasa malaysia", "malayo", "malaio", "malais", "malaiisch",
           "malese", "الملايوية", "malayca", "малайский", "马来语", "マレー語", "말레이어"],
}

_BY_NAME = {name: code for code, names in LANGUAGE_NAMES.items() for name in names}


def language_code(name: str | None) -> str | None:
    """The code of a language named by a shopper ('Spanish', 'español', 'es'), or None."""
    if not name:
        return None
    cleaned = name.strip().lower()
    if cleaned in LANGUAGE_NAMES:
        return cleaned
    return _BY_NAME.get(cleaned)


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


def native_name(language: str) -> str:
    """A language's name in itself ("Español", "日本語"), as a shopper looks for it in a list."""
    try:
        name = Locale.parse(language).get_display_name(language) or language
    except (UnknownLocaleError, ValueError):
        return language
    return name[:1].upper() + name[1:]
