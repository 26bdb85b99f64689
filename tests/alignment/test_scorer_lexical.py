from __future__ import annotations

from django.test import SimpleTestCase

from alignment.scorers.lexical import (
    CONFLICT_NAMES,
    FEATURE_NAMES,
    WHOLE_TEXT_ATTRIBUTES,
    LexicalScorer,
    attribute_conflicts,
    attributes,
    brand_words,
    bundle_one_sided,
    conflict_features,
    declared_model_conflict,
    extract,
    finish_conflict,
    kit_conflict,
    lacks_brand,
    left_out_one_sided,
    model_conflict,
    offer_one_sided,
    pack_one_sided,
    pair_features,
    parse_number,
    region_one_sided,
    spare_one_sided,
    version_one_sided,
)


def features(a: str, b: str) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, pair_features(a, b), strict=True))


def conflicts(a: str, b: str) -> dict[str, float]:
    return dict(zip(CONFLICT_NAMES, conflict_features(a, b), strict=True))


class LexicalFeaturesTestCase(SimpleTestCase):
    def test_it_reads_decimal_commas_and_thousands_groups(self):
        assert parse_number("1,7") == 1.7
        assert parse_number("1.7") == 1.7
        assert parse_number("20 000") == 20000
        assert parse_number("20,000") == 20000
        assert parse_number("0,100") == 0.1

    def test_it_agrees_on_1_7_l_written_differently(self):
        f = features("智能恒温电热水壶，1.7L大容量", "Bouilloire électrique, 1,7 L")
        assert f["unit_agree"] == 1 and f["unit_conflict"] == 0
        assert features("Kettle 1.7 litres", "Wasserkocher 1700 ml")["unit_agree"] == 1

    def test_it_flags_1_7_l_against_1_5_l_as_a_conflict(self):
        f = features("智能恒温电热水壶，1.7L大容量", "Electric kettle 1.5 L")
        assert f["unit_conflict"] == 1 and f["unit_agree"] == 0

    def test_it_reads_grams_mah_resolution_and_spf(self):
        assert ("mass", 0.1) in extract("厨房电子秤，精度0.1g").quantities
        assert ("charge", 20000.0) in extract("Power bank 20 000 mAh").quantities
        assert features("充电宝 20000mAh", "Power bank 20 000 mAh")["unit_agree"] == 1
        assert ("resolution", 4.0) in extract("防水运动相机，4K超清").quantities
        assert features("儿童防晒霜 SPF50+", "Kids Sunscreen SPF 50+")["unit_agree"] == 1
        assert features("Sunscreen SPF50+", "Sonnencreme LSF SPF 30")["unit_conflict"] == 1

    def test_it_matches_model_codes_across_separators(self):
        assert features("Sony WH-1000XM5 耳机", "Sony WH1000XM5 headphones")["code_agree"] == 1
        f = features("Sony WH-1000XM5 耳机", "Sony WH-1000XM4 headphones")
        assert f["code_conflict"] == 1 and f["code_agree"] == 0

    def test_it_does_not_take_quantities_for_model_codes(self):
        assert extract("Kettle 1.7L 2200W SPF50 20000mAh 6er-Pack").codes == frozenset()
        # A number joined to words: "3-Axis" is "3-Achsen" in German, no model of either.
        assert extract("Gimbal 3-Axis, 5-Punkt-Gurt, 360-Degree").codes == frozenset()
        assert features("Aerostab M4 3-Axis Phone Gimbal", "Aerostab M4 3-Achsen Smartphone-Gimbal")["code_conflict"] == 0
        assert extract("Sony WH-1000XM5, Brixon TK-560X").codes == {"WH1000XM5", "TK560X"}
        assert extract("Kochmesser, VG-10-Kern").codes == {"VG10"}  # a word glued on after the code

    def test_it_shares_brand_words_but_not_stop_words(self):
        assert "aquora" in extract("Bouilloire AQUORA pour le thé").words
        assert "pour" not in extract("Bouilloire AQUORA pour le thé").words
        assert features("Aquora 电热水壶", "AQUORA Kettle")["word_overlap"] == 1.0


class LexicalScorerTestCase(SimpleTestCase):
    def test_it_ranks_the_agreeing_document_first(self):
        scores = LexicalScorer().score(
            "智能恒温电热水壶，1.7L大容量，Aquora",
            ["Aquora Electric Kettle 1.5 L", "Aquora Electric Kettle 1,7 L", "Power bank 20000 mAh"],
        )
        assert scores[1] > scores[0] > scores[2]
        assert all(0.0 <= s <= 1.0 for s in scores)

    def test_it_is_deterministic_and_keeps_document_order(self):
        documents = ["Sony WH-1000XM4", "Sony WH-1000XM5", "Sony"]
        first = LexicalScorer().score("Sony WH-1000XM5", documents)
        assert first == LexicalScorer().score("Sony WH-1000XM5", documents)
        assert first[1] == max(first)
        assert LexicalScorer().score("anything", []) == []


class LexicalVariantsTestCase(SimpleTestCase):
    def test_it_compares_ranges_end_to_end(self):
        f = features("Rehausseur groupe 2/3, 15-36 kg", "Cojín elevador grupo 3 (22–36 kg)")
        assert f["unit_conflict"] == 1 and f["unit_agree"] == 1  # the low ends differ, the high ends agree
        assert features("Porte-bébé 3,5 à 20 kg", "婴儿背带 3.5-20kg")["unit_conflict"] == 0

    def test_it_compares_colours_across_languages(self):
        assert features("Mascara wasserfest, Schwarz", "防水睫毛膏 黑色")["unit_agree"] == 1
        assert features("Mascara wasserfest, Braun", "防水睫毛膏 黑色")["unit_conflict"] == 1
        assert features("Wasserkocher Weiß", "Kettle, white")["unit_agree"] == 1

    def test_it_reads_colour_shades_written_as_one_word(self):
        assert features("Babyflasche 150 ml, salbeigrün", "奶瓶 150ml 樱花粉")["unit_conflict"] == 1
        assert features("Babyflasche 150 ml, rosa", "奶瓶 150ml 樱花粉")["unit_conflict"] == 0
        assert features("Handyhülle dunkelblau", "Phone case, navy")["unit_agree"] == 1
        assert features("手机云台 深空灰", "Phone Gimbal, Sage Green")["unit_conflict"] == 1
        # A colour word inside another word is none: 大红袍 is a tea, 烟灰缸 an ashtray.
        assert ("colour", 0.0) not in extract("Vollkornbrot").quantities
        assert not [d for d, _ in extract("武夷山大红袍 烟灰缸").quantities if d == "colour"]

    def test_it_reads_chinese_shades_ending_in_a_colour(self):
        assert features("Novaro X9 Pro 12GB+256GB 星夜黑 6.7英寸", "Novaro X9 Pro, Glacier Blue")["unit_conflict"] == 1
        assert features("胶囊咖啡机 樱桃红 新款", "Machine à capsules, rouge")["unit_agree"] == 1
        assert features("Trekking Backpack, Red", "Trekkingrucksack, petrol")["unit_conflict"] == 1
        # Inside a word, or words that name no colour: white goose down, protein, whitening.
        for text in ("90%白鹅绒 700蓬", "乳清蛋白 2kg", "美白 牙膏", "网红 款"):
            assert not [d for d, _ in extract(text).quantities if d == "colour"], text

    def test_it_compares_shoe_and_garment_sizes(self):
        assert features("Chaussures de running homme, pointure 42", "Zapatillas de running hombre, talla 43")[
            "unit_conflict"
        ] == 1
        assert features("Laufschuh Herren, Gr. 44,5", "Running shoe, EU size 44.5")["unit_agree"] == 1
        assert features("T-Shirt Damen, Größe M", "女士T恤 M码")["unit_agree"] == 1
        assert features("Veste homme, taille S", "Chaqueta hombre, talla XL")["unit_conflict"] == 1
        # Not a size: a bed's dimensions, a screen, a range of sizes, "one size".
        for text in ("Matratze Größe 60 x 120 cm", "Screen size 27 inch", "Available sizes 36-46", "One size fits all"):
            assert not [d for d, _ in extract(text).quantities if d.endswith("size")], text

    def test_it_reads_imperial_units_megapixels_and_pressure_apart(self):
        # Listings round conversions (5.5 qt is given as 5.2 L): imperial values never contradict metric ones.
        f = features("Kovara AeroCrisp 5.5 Qt Air Fryer, 1700W", "Kovara AeroCrisp Heißluftfritteuse 5,2 L 1700 W")
        assert f["unit_conflict"] == 0 and ("volume qt", 5.5) in extract("5.5 Qt").quantities
        assert not model_conflict("Kovara AeroCrisp 5.5 Qt Air Fryer", "Kovara AeroCrisp Heißluftfritteuse 5,2 L")
        assert features("Trail Camera 36MP", "Wildkamera 24 MP")["unit_conflict"] == 1
        assert features("室外监控摄像头 400万像素", "Outdoor camera 4MP")["unit_agree"] == 1
        assert features("Hochdruckreiniger 160 bar", "Hidrolimpiadora 130 bar")["unit_conflict"] == 1
        assert features("Magnetische Bausteine 60 Teile", "Magnetic Tiles 60 Pieces")["unit_agree"] == 1
        # A letter glued to a model code is no unit: MB-7731M is no 7731 metres.
        assert extract("Mirabel MB-7731M Gafas de Sol").quantities == frozenset()
        assert "MB7731M" in extract("Mirabel MB-7731M Gafas de Sol").codes

    def test_it_reads_octets_amp_hours_suction_and_transfer_rates(self):
        # French writes bytes as octets: 2 To is 2 TB, 512 Go is 512 GB.
        assert features("Kestrel NV3 1TB NVMe SSD", "Kestrel NV3 2 To SSD interne NVMe")["unit_conflict"] == 1
        assert features("SSD 1 To, jusqu'à 7000 Mo/s", "SSD 1TB, up to 7,000 MB/s")["unit_agree"] == 2
        assert features("Smartphone 12 Go RAM 512 Go", "Smartphone 12GB+256GB")["unit_conflict"] == 0  # 12 GB agrees
        assert features("Smartphone 12 Go RAM 512 Go", "Smartphone 12GB+256GB")["unit_agree"] == 1
        # 45Ah and 4000Pa are quantities, not model codes shared by every sibling.
        assert extract("Nordbat NB-A45L 12V 45Ah 330A").codes == {"NBA45L"}
        assert features("Nordbat NB-A45L 12V 45Ah 330A", "Nordbat NB-A45R 12V 45Ah 330A")["code_conflict"] == 1
        assert features("扫地机器人 4000Pa大吸力", "Robot aspirateur 6000 Pa")["unit_conflict"] == 1
        assert features("Hochdruckreiniger 19 bar", "Machine à capsules, 19 bars")["unit_agree"] == 1

    def test_it_compares_tyre_sizes_and_binocular_magnifications(self):
        tyre = "Tremont TerraMax A/T 265/70R17 115T All-Terrain SUV Tyre"
        assert features(tyre, "Pneu tout-terrain Tremont TerraMax A/T 265/65 R17 112T")["unit_conflict"] >= 1
        assert features(tyre, "Neumático todoterreno Tremont TerraMax A/T 265/70 R17 115T")["unit_conflict"] == 0
        assert extract(tyre).codes == frozenset()
        assert features("Falkmar Pocket 8x25 Taschenfernglas", "Falkmar Pocket 10x25 Binoculars")["unit_conflict"] == 1
        assert features("Spotting scope 20-60x80 ED", "Longue-vue 20-60x80 ED")["unit_agree"] == 1
        # Not a magnification: a pack of two 15 W coils, a size in centimetres.
        for text in ("Ladepad 2x15W", "Matratze 60 x 120 cm", "Screen 1920x1080"):
            assert not [d for d, _ in extract(text).quantities if d == "magnification"], text

    def test_names_of_standards_and_3_in_1_are_not_model_codes(self):
        assert extract("SSD PCIe4.0, USB3.0, Gen4, DDR5, DVB-T2/C/S2, GDDR6X, 3-in-1").codes == frozenset()
        assert features("Lumatek LT32-H2 TV DVB-T2/C/S2", "Lumatek LT32-F2 TV, DVB-T2/C/S2")["code_conflict"] == 1
        # A code that ends with the other's is the same model: "R7-7840HS" is the 7840HS.
        assert features("Laptop, Ryzen 7 7840HS", "游戏本 锐龙R7-7840HS")["code_agree"] == 1

    def test_a_kit_part_one_text_leaves_out_and_the_other_names_is_a_conflict(self):
        kit = "【洗车神器】Aqura雅酷 CW20 无线锂电高压洗车机 20V 双电池套装(2×4.0Ah)+充电器"
        assert kit_conflict(kit, "Aqura CW20 Limpiadora a Presión 20V\nSe entrega sin batería ni cargador.")
        assert kit_conflict("Grillmo Tischgrill mit Deckel", "Grillmo Table Grill\nOpen-top design with no lid.")
        assert kit_conflict("Akku-Rasenmäher 40 V, inkl. 4,0 Ah Akku", "Cordless Lawn Mower 40V, Tool Only")
        assert kit_conflict("Ventilateur colonne, télécommande incluse", "塔扇 90cm 不含遥控器")
        # Both leave it out, or neither names it; 无线 (wireless) excludes nothing.
        assert not kit_conflict("Perceuse 18 V sans batterie", "Bohrschrauber 18 V, ohne Akku")
        assert not kit_conflict("Mower 40V (battery not included)", "Rasenmäher 40 V, Akku nicht enthalten")
        assert not kit_conflict("VoltEdge 磁吸无线充电器 15W", "VoltEdge Qi2 Magnetic Wireless Charger 15W")
        assert not kit_conflict("Parrilla Grillmo con tapa\nSin PFOA\n- tapa de vidrio", "Tischgrill mit Deckel")

    def test_two_kits_that_count_a_part_differently_conflict(self):
        one = "Krafter 20V锂电冲击起子机 KID-20 无刷 180N.m 单电4.0Ah+充电器 工具箱装"
        assert kit_conflict(one, "Krafter KID-20 Akku-Schlagschrauber 20 V, 2 x 4,0 Ah Akkus, Ladegerät, Koffer")
        assert not kit_conflict(one, "Atornillador de impacto Krafter KID-20 20 V, 1 batería 4,0 Ah y cargador")
        consoles = "【双人对战】Retrogo Mini RM-16 复古游戏主机 送2个有线手柄"
        assert kit_conflict(consoles, "Console rétro Retrogo Mini RM-16, livrée avec 1 seule manette filaire")
        assert not kit_conflict(consoles, "Retrogo Mini RM-16 Retro Console, two wired controllers included")
        # Not counts of the part: hours of battery life, an AAA cell size, a model code before "Akku".
        assert not kit_conflict("Altavoz de ducha, 8 horas de batería", "浴室音箱 单电池供电")
        assert not kit_conflict("儿童血氧仪 7号电池", "Pulsioxímetro, funciona con 2 pilas AAA")
        assert not kit_conflict("Krafter KID-20 Akku-Schlagschrauber", "Krafter KID-20 单电4.0Ah")
        assert not kit_conflict("Ventilador de techo, 3 velocidades, mando a distancia", "Ceiling fan, 1 remote")
        assert not kit_conflict("DC-2 有线门铃 含按钮套装 免电池", "Klingo DC-2 Door Chime\nNeeds no batteries.")
        # A battery-free pen leaves no battery out of the tablet's kit.
        assert not kit_conflict("Drawing Tablet, built-in 1000 mAh battery", "Tableta gráfica, lápiz sin batería")
        # A stand, a case, bindings, a cabinet or a pen that one kit leaves out and the other holds.
        assert kit_conflict("Valmora Carve 76 Skis with VX11 Bindings, 170cm", "Valmora Carve 76 Ski\nohne Bindung")
        assert kit_conflict("森海 Panora 120 鱼缸 含底柜 黑色", "Aquarium Senhai Panora 120\nVendu sans meuble.")
        assert kit_conflict("Ukulele Bundle with Padded Gig Bag", "Ukelele Sorvani\nNo incluye funda ni afinador.")
        assert kit_conflict("Tableta Inkora Note 10, lápiz incluido", "Inkora Note 10\nStift nicht enthalten.")
        assert not kit_conflict("Penvara 数位屏 含支架", "Penvara Artline 13 Pro, support inclus")
        # "Case" names the part only where it is left out: a phone case is no kit's case.
        tweezers = "Pince à épiler Ondine PT-45\nDans la boîte : 1 pince, 1 étui en simili cuir"
        assert kit_conflict(tweezers, "Ondine PT-45 Tweezers, 11 cm – Tweezers Only, Case Not Included")
        assert kit_conflict("Voltrix HG-2000 Heat Gun, 4 Nozzles & Carry Case", "Voltrix HG-2000 – No Case or Nozzles")
        assert not kit_conflict("Funda Nexa para iPhone 15 sin estuche", "Nexa iPhone 15 case, clear")

    def test_a_model_code_one_description_declares_against_the_others_title(self):
        ladder = "Hochfels Alu-Stufenleiter 6 Stufen, mit Ablageschale, EN 131\n\nModell HS-6. Klappbar, 5,4 kg."
        assert declared_model_conflict(ladder, "Hochfels HS-7 Aluminum Step Ladder, 7 Steps, Tool Tray")
        assert declared_model_conflict(ladder, "Hochfels HS-6D Escalera de aluminio de doble acceso")
        assert not declared_model_conflict(ladder, "Hochfels豪斐 铝合金人字梯 6步 EN131认证 HS-6 带工具托盘")
        assert declared_model_conflict("儿童血氧仪\n- 型号：KX-10", "Kiddoxi KX-12 Pulsioxímetro infantil")
        # Nothing to contradict: the other gives no code of that prefix, or declares none.
        assert not declared_model_conflict(ladder, "Hochfels Step Ladder, 6 Steps, EN 131")
        assert not declared_model_conflict("Hochfels HS-6 ladder", "Hochfels HS-7 ladder")  # titles: code_conflict's

    def test_a_model_number_before_a_glued_capacity_is_no_thousands_group(self):
        assert extract("Nexora Vista 3 256GB All-in-One Headset").quantities == {("storage", 256.0)}
        assert features("Nexora Vista 3 256GB Headset", "Nexora Vista 3, 256 GB, blanco")["unit_conflict"] == 0
        assert ("charge", 20000.0) in extract("Powerbank 20 000mAh").quantities
        assert ("power", 1500.0) in extract("Radiateur 1 500 W").quantities

    def test_a_cherry_finish_is_not_a_walnut_one(self):
        walnut = "【Gramoline】GM-700 七合一复古黑胶唱片机 实木胡桃色 蓝牙音箱"
        cherry = "Gramoline GM-700 7-in-1 Retro-Plattenspieler Kirschholz-Optik, Bluetooth"
        assert conflict_features(walnut, cherry)[CONFLICT_NAMES.index("attribute_conflict")] == 1
        assert conflict_features(walnut, "Gramoline GM700 Retro Record Player, Walnut Wood, Bluetooth") == [0.0] * 8
        assert attributes("Mechanical Keyboard, Cherry MX Red switches").get("wood") is None

    def test_a_german_shade_of_orange_is_an_orange(self):
        bivy = "Helvik NB-2 Notfall-Biwaksack für 2 Personen, 213 × 150 cm, signalorange"
        assert features(bivy, "【Helvik】NB-2 双人应急睡袋 213×150cm 军绿色")["unit_conflict"] == 1
        assert features(bivy, "Helvik NB2 Two-Person Emergency Bivvy, 213 x 150 cm, orange")["unit_agree"] == 3
        assert features("Springseil, neonpink, 3 m", "Corde à sauter, noire, 3 m")["unit_conflict"] == 1

    def test_a_chinese_number_before_a_spaced_quantity_is_no_thousands_group(self):
        tank = "【Halidex】DT-2 显影罐 可装2卷135或1卷120 500ml 含2个可调片轴"
        assert extract(tank).quantities == {("volume", 500.0)}
        assert features(tank, "Halidex DT-2 Developing Tank, 2 x 135 or 1 x 120, 500 ml")["unit_agree"] == 1
        assert ("charge", 20000.0) in extract("【Voltra】充电宝 20 000mAh").quantities

    def test_it_compares_resolutions_in_pixels(self):
        vista = "Nexora Vista 3 – VR\nResolución de 2064 x 2208 por ojo, pancake."
        assert features(vista, "Nexora Vista 3S\nÉcran LCD 1832 x 1920 pixels par œil")["unit_conflict"] == 1
        assert features(vista, "Nexora Vista 3 VR 一体机 单眼2064×2208")["unit_agree"] == 1
        assert features("Monitor 1920x1080", "Écran 1080 x 1920 (portrait)")["unit_agree"] == 2  # and the lines
        assert ("length", 900.0) in extract("Matratze 900 x 2000 mm").quantities  # a size, not pixels

    def test_chrome_is_the_silver_of_fittings(self):
        assert features("Colonne de douche AV-250 chromée", "Duschsäule AV-250 schwarz matt")["unit_conflict"] == 1
        assert features("Alcachofa de ducha RF-3 cromada", "RF-3 过滤花洒 电镀银色")["unit_conflict"] == 0

    def test_black_chrome_nickel_and_a_stainless_look_are_colours(self):
        coffee = "Kaffeto Automat 5500 Latte Kaffeevollautomat, 1,8 l, Schwarz-Chrom"
        assert features(coffee, "Kaffeto Automat 5500 Latte Coffee Machine, 1.8 L, Silver/Chrome")["unit_conflict"] == 1
        assert features(coffee, "Kaffeto Automat 5500 Latte 全自动咖啡机 1.8L 黑色")["unit_conflict"] == 0
        lock = "Cerradura Clavix SL-40, cilindro europeo 30/30 mm, níquel satinado"
        assert features(lock, "Serrure Clavix SL-40 noir mat, cylindre européen 30/30 mm")["unit_conflict"] == 1
        assert features(lock, "Clavix SL-40 Smart Lock, Satin Nickel")["unit_conflict"] == 0
        pens = "按动中性笔 0.5mm 黑色 12支装"
        assert features(pens, "Bolígrafos de gel 0,5 mm de colores, pack de 12")["unit_conflict"] == 1
        assert features("Gel Pens, Assorted Colours", "Stylos gel multicolores")["unit_conflict"] == 0
        oven = "Microondas Halvik MW-23DG, 23 litros, negro"
        assert features(oven, "Halvik MW-23DG Mikrowelle, 23 Liter, Edelstahl-Optik")["unit_conflict"] == 1

    def test_an_attribute_a_text_denies_is_not_named(self):
        lamp = "Lumivo Deckenleuchte, 24 W\nSteuerung per Bluetooth Mesh, keine WLAN-Verbindung."
        assert attributes(lamp)["connectivity"] == {"bluetooth"}
        assert attribute_conflicts("Lumivo吸顶灯 24W WiFi款", lamp) == 1
        assert attributes("Caméra sans Wi-Fi, Bluetooth") == {"connectivity": frozenset({"bluetooth"})}
        assert attributes("Enceinte Wi-Fi et Bluetooth")["connectivity"] == {"wifi", "bluetooth"}

    def test_a_market_outside_europe_on_one_side_only(self):
        scale = "Pèse-personne Balanceo Slim 2, 180 kg, gris anthracite"
        assert region_one_sided(scale, "Balanceo Slim 2 Scale\nUS version: displays weight in pounds only.")
        assert region_one_sided("Vireon VQ55-X7 电视 美版", "Téléviseur Vireon VQ55-X7 55\"")
        assert not region_one_sided(scale, "Balanceo Slim 2 Personenwaage, EU-Version")  # Europe is the default
        assert not region_one_sided("Vireon TV, US model", "Vireon TV 美版")

    def test_the_mains_a_listing_gives_name_its_market(self):
        supply = "【沃创VOLTRA】VP-3005D 可调直流稳压电源 0-30V 0-5A\n规格参数：输入电压 AC 220-240V 50/60Hz"
        american = "VOLTRA VP-3005D Bench Power Supply 0-30V 0-5A\nInput 110-120V AC 60Hz, NEMA 5-15 plug"
        assert attribute_conflicts(supply, american) == 1
        assert attribute_conflicts(supply, "Voltra VP 3005 D Labornetzteil\nEingang 230 V AC, 50 Hz") == 0
        scanner = "Negaflex MF-120 Medium Format Film Scanner, 6400 dpi, USB 3.0"
        assert region_one_sided(scanner, "NEGAFLEX MF-120 中画幅胶片扫描仪\n· 日版机型，电源100V，日规插头")
        assert attribute_conflicts("Negaflex MF-120, Japan version (100V 50/60Hz)", "Negaflex MF-120 欧规") == 1
        # A worldwide supply names no market; a British plug at 230 V is British, not European.
        assert "region" not in attributes("Netzteil 100 – 240 V, 50/60 Hz")
        assert "region" not in attributes("Adaptador universal 100~240V 50/60Hz")
        radiator = "Thermaro OR-2511 Oil Radiator\nPower supply: 230-240V ~ 50Hz, UK 3-pin plug (BS 1363)"
        assert attribute_conflicts(radiator, "暖特罗 OR-2511 充油式电暖器\n电压：220-240V~ 50Hz（跨境欧标插头）") == 1

    def test_chinese_exclusions_of_latin_words(self):
        juicer = "Extracteur de jus Juvia JS-300, 200 W, sans BPA, argent"
        assert conflicts(juicer, "Juvia JS-300 原汁机 200W 不含BPA 银色")["excluded_named"] == 0
        assert conflicts("Velomax Strada 头盔 不含MIPS", "Velomax Strada MIPS Helmet")["excluded_named"] == 1

    def test_an_overclocked_card_is_its_own_model(self):
        assert model_conflict("Kyronix Nova N760 Ti Storm OC 12GB", "Kyronix Nova N760 Ti Storm 12 Go GDDR6X")
        assert not model_conflict("Kyronix N760 Ti Storm OC 12GB", "Kyronix N760 Ti Storm OC 12 GB Grafikkarte")

    def test_radio_standards_flows_and_size_ranges_are_no_contradictions(self):
        radio = "Radio-réveil Brenmoor CR-40 DAB+/FM – double alarme – noir"
        assert not model_conflict(radio, "Brenmoor CR-40 DAB/DAB+ FM Alarm Clock Radio, Black")
        assert model_conflict(radio, "Brenmoor CR-50 DAB+ FM Alarm Clock Radio, Black")
        filter_fr = "Filtre Aqualith Fluvio 600 pour aquarium 100 à 200 L – 600 L/h"
        assert ("flow", 600.0) in extract(filter_fr).quantities
        assert conflicts(filter_fr, "Aqualith Fluvio 600 Außenfilter für Aquarien bis 200 Liter")["content_conflict"] == 0
        skates = "Frostlet Adjustable Ice Skates for Girls, Pink, Size 30-33"
        assert features(skates, "Frostlet 儿童可调节溜冰鞋 粉色 30-33码")["unit_conflict"] == 0
        assert features("Patins Frostlet, pointure 30", "Frostlet 溜冰鞋 33码")["unit_conflict"] == 1

    def test_a_variant_name_after_a_line_is_another_model(self):
        assert model_conflict("Glacio TrackSock Schneesocken Größe 64", "Chaussettes à neige Glacio TrackSock HD taille 64")
        assert model_conflict("Distributeur croquettes Nibblo Feeda 4 L", "Nibblo Feeda Cam Futterautomat mit Kamera, 4 L")
        assert model_conflict("Nibblo Feeda Futterautomat 4 L", "Nibblo Feeda Basic Automatic Feeder 4L")
        assert model_conflict("Orvik Pocket B5 golf rangefinder", "Orvik Pocket B5 Slope Golf Laser Rangefinder")
        assert model_conflict("Graphyx XL Desk Mat 900 x 400", "Graphyx XL RGB Mauspad 900 x 400 mm")
        # A camera called a cam, and words a listing writes after a line's name as what it is.
        assert not model_conflict("Vizo Snap Wearable POV Cam, 4K", "Cámara POV Vizo Snap 4K magnética")
        assert not model_conflict("Springo SR-3 Speed Rope, 3 m", "Corde à sauter Springo SR-3, 3 m")
        assert not model_conflict("Kelvo HL300 Light Therapy Lamp", "Lampe de luminothérapie Kelvo HL300")

    def test_a_line_named_by_another_count_is_another_model(self):
        assert model_conflict("Tire-lait Nurvia DuoFlow S5, 2 biberons", "Nurvia SoloFlow S5 单边电动吸奶器")
        assert model_conflict("Pixora TriView 15 Laptop Monitor", "Pixora SoloView 15 Laptop Screen Extender")
        assert not model_conflict("Nurvia DuoFlow S5 Milchpumpe", "Tire-lait Nurvia DuoFlow S5 double")
        # A page that names both keeps its own: "the DuoFlow, unlike the SoloFlow".
        assert not model_conflict("Nurvia DuoFlow S5 (SoloFlow: 1 côté)", "Nurvia DuoFlow S5 Breast Pump")

    def test_it_compares_angles(self):
        assert ("angle", 120.0) in extract("Kelvo GU10 LED-Spot, Abstrahlwinkel 120°").quantities
        assert ("temperature", 36.0) in extract("Thermometer bis 36 °C").quantities
        spot = "Kelvo GU10 LED Spotlight 4.9W, 36° Beam Angle"
        assert features(spot, "Kelvo GU10 LED-Spot 4,9 W, Abstrahlwinkel 120°")["unit_conflict"] == 1
        assert features(spot, "Foco LED Kelvo GU10 4,9 W, 36°")["unit_agree"] == 2  # the power and the angle
        assert features("Lautsprecher mit 360 Grad Sound", "Speaker with 360° sound")["unit_agree"] == 1

    def test_a_count_of_countries_names_no_model(self):
        es = "Trakvia CaraVan 7 EU – Navegador GPS, mapas de Europa de por vida"
        assert not model_conflict(es, "Trakvia CaraVan 7 EU Wohnmobil-Navi 7 Zoll, Europa 45 Länder")
        assert model_conflict(es, "Trakvia CaraVan 9 EU Wohnmobil-Navi 9 Zoll, Europa 45 Länder")

    def test_it_compares_the_steps_of_ladders(self):
        assert features("Hochfels Alu-Stufenleiter 6 Stufen", "Hochfels Step Ladder, 7 Steps")["unit_conflict"] == 1
        assert features("Escalera 4 peldaños", "Escabeau 4 marches")["unit_agree"] == 1

    def test_variants_a_line_sells_side_by_side_conflict(self):
        pairs = [
            ("Krafter Bohrschrauber 18 V bürstenlos", "Perceuse Krafter 18 V, moteur à charbons"),
            ("Nordhall IceTrack 7 无钉款 冬季轮胎", "Neumático Nordhall IceTrack 7 Stud con clavos"),
            ("Senhai Panora 120 淡水草缸", "Acuario Senhai Panora 120 Reef, para agua salada"),
            ("Tidewalk Kids' Rain Jacket with Fleece Lining", "Tidewalk 儿童雨衣外套 单层无内衬"),
            ("Ironwolf Hammer Drill, 13mm Keyless Chuck", "Taladro percutor Ironwolf, portabrocas de llave 13 mm"),
            ("Rasoir Barbelle Heritage 68, peigne fermé", "Maquinilla Barbelle Heritage 68, peine abierto"),
            ("Ballon de football Vortana Strike, ballon de match", "Vortana Strike Training Soccer Ball, Size 5"),
            ("Varnholt Spectra 20-60x80, ocular angular", "Longue-vue Varnholt Spectra 20-60x80, oculaire droit"),
            ("Mirabelle Doll, Curly Brown Hair", "Mirabelle Modepuppe, blonde glatte Haare"),
            ("Tapis de salon poil court 160 x 230 cm", "Alfombra shaggy de pelo largo 160 x 230 cm"),
            ("Báscula de cocina mecánica retro de 5 kg", "厨房电子秤 5kg/1g 家用烘焙秤"),
            ("Alpenkern 女款轻薄羽绒服 黑色", "Alpenkern Women's Packable Down Vest, Black"),
        ]
        for a, b in pairs:
            assert attribute_conflicts(a, b) == 1, (a, b)
        # The same variant in other words; "ohne Kohlebürsten" is brushless; a wireless drill names no motor.
        assert attribute_conflicts("Bohrschrauber ohne Kohlebürsten", "Perceuse brushless") == 0
        assert attribute_conflicts("Schlagschrauber bürstenloser Motor", "冲击起子机 无刷电机") == 0
        assert attribute_conflicts("Perceuse sans fil 18 V", "Perceuse 18 V à charbons") == 0
        assert "water" not in attributes("Acuario de cristal, azul marino")  # navy blue is no salt-water aquarium
        # A mechanical watch's description may name its electronic parts: the mechanism is read in titles only.
        watch = "Montre mécanique\nAvec un chronographe électronique"
        assert attribute_conflicts(watch, "Mechanical Watch", dimensions=WHOLE_TEXT_ATTRIBUTES) == 0
        assert attribute_conflicts(watch, "Electronic Watch", dimensions=WHOLE_TEXT_ATTRIBUTES) == 0

    def test_a_pack_in_one_title_against_a_text_without_a_count_is_one_sided(self):
        router = "Netvora NV-R30 AX3000 WiFi 6 Router, white"
        pack = "Netvora NV-R30 Router WiFi 6 AX3000 (Pack de 2), blanco"
        assert pack_one_sided(router, router, pack, pack) and pack_one_sided(pack, pack, router, router)
        single = "Netvora NV-R30 路由器 单只装"
        assert not pack_one_sided(single, single, pack, pack)  # both give counts: unit_conflict decides
        assert not pack_one_sided(router, router + "\n2 units per box", pack, pack)  # the count is in the text
        assert not pack_one_sided(router, router, router, router)

    def test_a_set_in_one_title_only_is_one_sided(self):
        maker = "Frostella ICM-150 Ice Cream Maker with Built-in Compressor, 1.5 Litre"
        assert bundle_one_sided(maker, "Frostella ICM-150 Eismaschine mit Kompressor – Set mit 2 Zusatzbehältern")
        assert bundle_one_sided("Nexora Vista 3 VR一体机 256GB【套装优惠】", "Nexora Vista 3 VR Headset 256GB")
        assert not bundle_one_sided("Coffret Silkea SE-9 épilateur", "Silkea SE-9 Epilierer Geschenkset")
        assert not bundle_one_sided(maker, "Sorbetière Frostella ICM-150 1,5 L")
        assert not bundle_one_sided("Sunset Orange Kettle", "Bouilloire orange")  # inside a word
        # A count of one thing is a pack, not a set of things (pack_one_sided reads it).
        curtains = "Rideaux occultants thermiques 140 x 260 cm, lot de 2, gris"
        assert not bundle_one_sided(curtains, "Verdunkelungsvorhänge 2er-Set, 140 x 260 cm, grau")
        assert not bundle_one_sided(curtains, "Thermal Blackout Curtains 140 x 260 cm, Set of 2, Grey")
        assert not bundle_one_sided(curtains, "Cortinas opacas 140 x 260 cm, set de 2, gris")
        assert bundle_one_sided(curtains, "Set Rideaux occultants 140 x 260 cm + tringle, gris")

    def test_a_text_that_calls_itself_a_version_the_other_never_names(self):
        styler = "Lumora AirWave LA-5 5-in-1 Hot Air Multi-Styler, 1300W, Copper/Navy"
        assert version_one_sided(styler, "Lumora AirWave LA-5, 1300 W\n\nDie Long-Edition des AirWave LA-5 ...")
        assert version_one_sided("Vantor SlimBar 2.1 回音壁 英国版本", "Vantor SlimBar 2.1 Soundbar, 240 W")
        assert not version_one_sided(styler, "Lumora AirWave LA-5 Multi-Styler 5-in-1, Kupfer/Navy")
        assert not version_one_sided("Router, EU version", "Routeur, version Europe")
        assert not version_one_sided(styler, "Lumora Conversion kit")  # inside a word

    def test_the_brand_is_what_the_other_language_listings_share_with_the_query(self):
        query = "Depiladora eléctrica Silkea SE-9 Wet & Dry, Bluetooth – 40 pinzas"
        documents = [
            "Silkea SE-9 Epilierer Wet&Dry mit 40 Pinzetten, Bluetooth",
            "Coffret Silkea SE-9 épilateur Wet & Dry + brosse, Bluetooth",
            "Doucette DE-40 Cordless Wet & Dry Epilator, Bluetooth",
        ]
        # "Depiladora" is translated, "Bluetooth" is a standard: neither is a brand. Only the
        # first shared word counts: the rival brand's epilator is "Wet & Dry" too.
        assert brand_words(query, documents) == {"silkea"}
        assert [lacks_brand(d, {"silkea"}) for d in documents] == [False, False, True]
        assert brand_words(query, documents[:1]) == set()  # one listing proves nothing
        assert not lacks_brand("Doucette DE-40", set())

    def test_it_reads_chinese_pack_counts(self):
        assert ("count", 1.0) in extract("Veyra VC-300 室外监控摄像头 白色 单只装").quantities
        assert features("浴巾 70×140cm 两条装", "Bath Towels 70 x 140 cm, Pack of 2")["unit_agree"] >= 1
        assert features("Veyra VC-300 监控摄像头 单只装", "Veyra VC-300 Caméra WiFi 2K – Lot de 2")["unit_conflict"] == 1

    def test_it_compares_page_yields(self):
        f = features("Orvex 305XL Ink, approx. 600 Pages", "Orvex 305 Druckerpatrone, ca. 200 Seiten")
        assert f["unit_conflict"] == 1
        assert features("Toner, 3 000 pages", "Toner, approx. 3,000 pages")["unit_agree"] == 1
        assert features("Brixon 硒鼓 约12000页", "Brixon drum unit, 12,000 pages")["unit_agree"] == 1

    def test_it_flags_a_variant_word_on_one_side(self):
        assert features("Clear Case for iPhone 15 Pro", "Hülle für iPhone 15 Pro Max")["variant_conflict"] == 1
        assert features("Hülle für iPhone 15 Pro", "iPhone 15 Pro 透明手机壳")["variant_conflict"] == 0

    def test_it_counts_pack_sizes(self):
        assert ("count", 2.0) in extract("VoltEdge 双位无线充电板 2×15W").quantities
        assert features("Gelschreiber 12 Stück", "Pack of 12 gel pens")["unit_agree"] == 1
        assert ("length", 1350.0) in extract("Bettwäsche 135x200 cm").quantities
        assert features("Pack 2 prismáticos Falkmar 8x25", "Falkmar 8x25 Fernglas, 1 Stück")["unit_conflict"] >= 1
        assert ("count", 2.0) in extract("Brixon TK-560X Black Toner, Twin Pack").quantities
        assert not [d for d, _ in extract("Couches taille 4, pack 1 mois").quantities if d == "count"]  # a month


class ConflictFeaturesTestCase(SimpleTestCase):
    def test_a_size_that_shares_one_side_still_conflicts_value_by_value(self):
        a, b = "Rideaux occultants 140 x 260 cm, lot de 2", "Cortinas opacas 140 x 175 cm, pack de 2"
        assert features(a, b)["unit_conflict"] == 1  # 140 cm is shared, the area is not
        assert features(a, "Verdunkelungsvorhang 260 x 140 cm")["unit_conflict"] == 0
        assert features("Babelle Laufgitter 100 x 100 cm", "Babelle Playpen 75 x 100 cm")["unit_conflict"] == 1
        assert conflicts(a, b)["value_conflict"] == 2  # 260 and 175 have no counterpart
        assert conflicts(a, "Verdunkelungsvorhang 2er Set, 140 x 260 cm")["value_conflict"] == 0
        assert conflicts(a, b)["values_differ"] == 1  # each gives a length the other lacks
        # One text's extra detail (a pillowcase's 80 x 80 cm) is no difference.
        detailed = "Bettwäsche 135x200 cm, Kissenbezug 80x80 cm"
        assert conflicts(detailed, "Parure de lit 135 x 200 cm")["values_differ"] == 0

    def test_it_reads_torque_persons_pairs_and_units(self):
        assert ("torque", 45.0) in extract("最大扭力45N·m").quantities
        assert conflicts("Cordless Drill 18V, 45 Nm", "Visseuse sans fil 18 V, 180 Nm")["value_conflict"] == 2
        assert ("persons", 2.0) in extract("双人帐篷 户外露营").quantities
        assert ("persons", 2.0) in extract("2-Person Camping Tent").quantities
        assert conflicts("Tienda de campaña para 2 personas", "Tente de plage 3 personnes")["value_conflict"] == 2
        assert ("count", 2.0) in extract("Paire d'haltères réglables").quantities
        assert ("count", 1.0) in extract("Mancuerna ajustable (1 unidad)").quantities
        assert conflicts("Kurzhanteln 2er Set", "Mancuerna ajustable (1 unidad)")["value_conflict"] == 2

    def test_an_exclusion_on_one_side_only_is_an_asymmetry(self):
        assert conflicts("Duschsystem ohne Thermostat", "Shower System, Thermostatic Mixer")["negation_asymmetry"] == 1
        assert conflicts("Rehausseur sans ISOFIX", "Booster Seat, No ISOFIX")["negation_asymmetry"] == 0
        assert conflicts("Poêle sans PFAS", "Frying Pan, PFAS-Free")["negation_asymmetry"] == 0

    def test_wireless_and_non_stick_are_not_exclusions(self):
        assert conflicts("Chargeur sans fil 15 W", "Wireless Charger 15W")["negation_asymmetry"] == 0
        assert conflicts("Cargador sin cables 15 W", "Wireless Charger 15W")["negation_asymmetry"] == 0
        assert conflicts("Non-Stick Frying Pan 28 cm", "Poêle antiadhésive 28 cm")["negation_asymmetry"] == 0

    def test_chinese_text_never_counts_as_an_exclusion(self):
        # 不锈钢 (stainless steel) and 无线 (wireless) hold the characters for "not" and "without".
        assert conflicts("不锈钢无线电热水壶", "Kettle without cord, stainless steel")["negation_asymmetry"] == 0

    def test_an_exclusion_of_what_the_other_text_names_is_a_contradiction(self):
        assert conflicts("Sitzerhöhung ohne ISOFIX, Gruppe 2/3", "儿童增高安全座椅，ISOFIX硬接口")["excluded_named"] == 1
        assert conflicts("Duschsystem ohne Thermostat", "Shower System, Thermostatic Mixer")["excluded_named"] == 1
        assert conflicts("Sitzerhöhung ohne ISOFIX", "Rehausseur sans ISOFIX")["excluded_named"] == 0
        assert conflicts("Rehausseur sans ISOFIX", "Booster Seat, No ISOFIX")["excluded_named"] == 0
        assert conflicts("Thermomètre sans contact", "Infrared Thermometer, Non-Contact")["excluded_named"] == 0
        assert conflicts("Sonnencreme ohne Parfum", "Crème solaire enfant")["excluded_named"] == 0
        assert conflicts("Kettle, BPA-Free", "Bouilloire sans BPA")["excluded_named"] == 0

    def test_named_attributes_conflict_only_when_they_share_nothing(self):
        assert conflicts("男士淡香水 EDT 100ml", "Women's Eau de Toilette 100 ml")["attribute_conflict"] == 1
        assert conflicts("Smart Plug WiFi, 16A", "Enchufe inteligente Zigbee 16 A")["attribute_conflict"] == 1
        assert conflicts("Glass Food Storage Containers", "Boîtes de conservation en plastique")["attribute_conflict"] == 1
        assert conflicts("Eau de Toilette pour homme", "Men's Eau de Toilette")["attribute_conflict"] == 0
        assert conflicts("Glass Kettle, Stainless Steel Base", "Wasserkocher aus Edelstahl")["attribute_conflict"] == 0
        assert conflicts("Women's Watch", "Montre en acier")["attribute_conflict"] == 0  # no shared attribute named
        # "men" inside "women" is not a match.
        assert attributes("Women's Eau de Toilette") == {"gender": frozenset({"women"})}

    def test_net_contents_compare_across_mass_and_volume_and_pack_totals(self):
        assert conflicts("Soléa 儿童防晒棒 SPF50+ 15g", "Protector solar infantil SPF 50+, 100 ml")["content_conflict"] == 1
        assert conflicts("Crème solaire 100 ml", "Sonnencreme 100 g")["content_conflict"] == 0
        assert conflicts("Gel douche 2 x 100 ml", "Shower Gel 200ml")["content_conflict"] == 0
        assert features("Gel douche 2 x 100 ml", "Shower Gel 200ml")["unit_conflict"] == 0
        assert ("volume", 200.0) in extract("Gel douche 2 x 100 ml").quantities

    def test_handedness_and_materials_in_any_language_are_attributes(self):
        right, left = "Vertical Mouse, Right-Handed, Graphite", "Ratón vertical para zurdos, grafito"
        assert conflicts(right, left)["attribute_conflict"] == 1
        assert conflicts("Souris verticale pour droitier", "Vortena 垂直鼠标 右手")["attribute_conflict"] == 0
        assert conflicts("Biberón de vidrio 240 ml", "Biberons en polypropylène 240 ml")["attribute_conflict"] == 1

    def test_an_original_cartridge_against_a_compatible_one_is_an_attribute_conflict(self):
        original = "Toner noir d'origine Brixon TK-560X, 3 000 pages"
        assert conflicts(original, "Tóner compatible TonerMax TK-560X negro, 3.000 páginas")["attribute_conflict"] == 1
        assert conflicts(original, "Brixon原装硒鼓 TK-560X 黑色")["attribute_conflict"] == 0
        # "compatible with" and "Qi-compatible" describe originals too.
        assert attributes("Original VoltEdge Pad, compatible with Qi phones") == {"origin": frozenset({"original"})}
        assert "origin" not in attributes("Chargeur Qi-compatible, câble USB-C")
        assert attributes("兼容Nexa 112墨水 四色 非原装") == {"origin": frozenset({"compatible"})}

    def test_a_refurbished_unit_against_one_that_says_nothing_is_a_conflict(self):
        new = "Korvane KV-4120 男士自动机械表 42mm"
        refurbished = "Korvane KV-4120 Montre Automatique 42 mm\n\nProduit reconditionné et contrôlé par notre atelier."
        assert attribute_conflicts(new, refurbished) == 1
        assert attribute_conflicts(refurbished, "Korvane KV-4120 Automatikuhr, generalüberholt") == 0
        assert attribute_conflicts(new, "Korvane KV-4120 Men's Automatic Watch, 42mm") == 0
        assert "condition" not in attributes(new)  # only the comparison assumes "new"

    def test_units_made_for_other_markets_are_an_attribute_conflict(self):
        europe = "Routeur 4G LTE Portanet P600, version Europe"
        assert conflicts(europe, "Portanet P600 4G LTE Router, US-Version")["attribute_conflict"] == 1
        assert attribute_conflicts(europe, "Portanet P600 LTE-Router\n\nVersión para Reino Unido e Irlanda.") == 1
        assert attribute_conflicts(europe, "Portanet P600 4G LTE Router, EU plug") == 0
        assert attribute_conflicts(europe, "Portanet P600 Router\n\nUS model with ATSC 3.0 tuner, 120V power") == 1
        assert attribute_conflicts(europe, "Portanet P600 LTE-Router mit SIM-Slot") == 0  # one side says nothing
        assert attributes("Plus version with more bands, for us and you") == {}

    def test_a_model_named_only_as_what_the_other_is_for_is_an_accessory(self):
        monitor = "Tensiómetro de brazo Medivana BP-600 con Bluetooth, manguito 22-42 cm"
        cuff = "Replacement Cuff for Medivana BP-500 / BP-600 Blood Pressure Monitors, 32–42 cm"
        assert conflicts(monitor, cuff)["accessory"] == 1
        assert conflicts("Aerivo空气净化器AP-350 H13级HEPA滤网", "Aerivo AP-350-F Filter, for AP-350 Air Purifier")[
            "accessory"
        ] == 1
        # Both name it as what they are for (two toners for one printer), or "para hombre" is for men.
        toner = "Toner noir Brixon TK-560X, pour imprimantes laser LaserMate L560 / L565"
        assert conflicts(toner, "Tóner original Brixon TK-560X, para LaserMate L560 y L565")["accessory"] == 0
        watch = "Valcourt VC-880 Montre Chronographe Homme Quartz 44 mm"
        assert conflicts(watch, "Reloj Cronógrafo para Hombre Valcourt VC-880, Esfera Verde")["accessory"] == 0

    def test_a_chinese_title_says_what_it_is_for_after_the_model(self):
        xylophone = "Xilófono alto Klangwald KX-16 diatónico, 16 láminas de palisandro"
        cover = "Klangwald KX-16 中音奥尔夫木琴专用 防尘罩 加厚牛津布 仅罩子 包邮"
        assert conflicts(xylophone, cover)["accessory"] == 1
        solar = "Controlador de carga solar Solvanta SC-4010 MPPT 40 A"
        assert conflicts(solar, "Solvanta SC-4010 MPPT控制器专用 蓝牙通讯模块 BT-1")["accessory"] == 1
        assert conflicts(xylophone, "【Klangwald】KX-16 中音奥尔夫木琴 16音 花梨木")["accessory"] == 0
        # Made for each model of a list: "KX-16 / KX-20 木琴专用".
        assert conflicts(xylophone, "Klangwald KX-16 / KX-20 木琴专用 防尘罩 加厚牛津布")["accessory"] == 1
        # A chair mat made for carpets names its own product before the code.
        mat = "Calmstep CM9012L Chair Mat for Carpet with Lip, 36\" x 48\", Clear PVC"
        assert conflicts(mat, "【Calmstep】凸字形办公椅地垫 CM-9012L 地毯专用 带防滑钉 90×120cm")["accessory"] == 0


class ModelConflictTestCase(SimpleTestCase):
    def test_a_model_number_or_variant_the_other_text_never_gives_is_a_conflict(self):
        assert model_conflict("Chaussures de running Stridemax Aero 5 homme", "Stridemax Aero 4 Men's Running Shoes")
        assert model_conflict("Stridemax Aero 5 homme, pointure 42", "Stridemax Aero 5 GTX Men's Waterproof, EU 42")
        assert model_conflict("Kestrel凯翠 K75 三模无线机械键盘", "Teclado mecánico Kestrel K75 Pro, 75 %")
        assert model_conflict("Barbacoa de gas Brasalia Terra 3+1", "Brasalia Terra 3 Gas Grill, 3 Burners")
        assert model_conflict("Vortena Glide M3 Vertical Mouse", "Souris verticale Vortena Glide M2")
        carbon, carbon_2 = "Kairu Tempo Carbon Herren Laufschuh", "Kairu Tempo Carbon 2 Men's Racing Shoe"
        assert conflicts(carbon, carbon_2)["model_conflict"] == 1
        # A number with a letter suffix is a model too: 305XL is the high-yield cartridge.
        assert model_conflict("Orvex 305XL Black Ink Cartridge", "Orvex 305 Druckerpatrone Schwarz")
        # "Pro+" is the Pro Plus; "Max" is no "大" (large), which nearly every Chinese listing says.
        assert model_conflict("Robot aspirador Cleavo S8 Pro, 5000 Pa", "Aspirateur robot Cleavo S8 Pro+, 5000 Pa")
        assert not model_conflict("儿童安全座椅 1/2/3组 ISOFIX+上拉带", "Kiddara Group 1/2/3 Car Seat, ISOFIX + Top Tether")
        assert model_conflict("Aerovac艾洛维 R8 扫地机器人 4000Pa大吸力", "Robot aspirateur laveur Aerovac R8 Max")

    def test_a_model_code_extended_by_a_suffix_is_another_model(self):
        monitor = "Veltrix维创 VX27Q 27英寸2K电竞显示器 165Hz HDR400"
        assert model_conflict(monitor, "Monitor gaming Veltrix 27 pulgadas QHD 165 Hz, HDR400 – VX27QC")
        assert model_conflict("Brixon TK-560X Toner", "Brixon TK-560 Black Toner Cartridge")
        assert not model_conflict(monitor, "Veltrix VX-27Q 27-inch QHD Gaming Monitor, 165 Hz, HDR400")
        # A word glued on with a hyphen ("VG-10-Kern" is "VG-10 core") extends nothing.
        assert not model_conflict("Cuchillo de chef, núcleo VG-10", "Kochmesser, VG-10-Kern, G10-Griff")

    def test_the_same_model_written_differently_is_no_conflict(self):
        assert not model_conflict("Stridemax Aero 5 homme", "Stridemax斯锐迈 Aero 5 男子跑步鞋 42码")
        assert not model_conflict("Écran portable Lumora Go 156, 15,6 pouces", "Lumora Go156 便携显示器 15.6英寸")
        assert not model_conflict("VoltEdge Pad 15 Kabelloses Ladepad, 15W", "Cargador VoltEdge Pad 15W, base Qi")
        assert not model_conflict("VoltEdge Duo Doppel-Ladepad", "VoltEdge 双位无线充电板 两部手机同时充")
        assert not model_conflict("Nexa 112 – Pack de 4 botellas", "Nexa原装墨水 112 四色套装")
        # A number glued to a unit or a feature is no model: 36MP, 3D, 4K.
        assert not model_conflict("WildEye Trail Camera 36MP, 4K", "Caméra de chasse WildEye 4K, vision nocturne")
        assert not model_conflict("Woodlark 3D Wooden Puzzle", "Woodlark 3D立体木质拼图")
        # "Air" names a kind of product in "air fryer"; "ultra" is in "ultracorto" (ultra-short throw).
        assert not model_conflict("Belmonte Compact Air Fryer, 3.4 Quart", "Friteuse Belmonte BF-32 Compact 3,2 L")
        projector = "Auralis L5 Vidéoprojecteur Laser Ultra Courte Focale"
        assert not model_conflict(projector, "Auralis L5 Proyector Láser de Tiro Ultracorto")
        # A version of a standard after a code: "WiFi6" is "Wi-Fi 6".
        assert not model_conflict("Netvora NV-R30 AX3000 WiFi6无线路由器", "Netvora NV-R30 Router WiFi 6 AX3000 Doble Banda")

    def test_a_code_one_title_leaves_out_is_no_conflict_but_another_code_is(self):
        assert not model_conflict("Lumibebe LB-720 Video Baby Monitor, 720p", "Lumibebe Babyphone mit Kamera, 720p")
        assert not model_conflict("Televisor OLED Kestrel KO65-C3 de 65\"", "Kestrel C3 Series 65-Inch OLED TV KO65-C3")
        assert model_conflict("Vortena Glide M3 Vertical Mouse", "Vortena Glide M2 Maus")
        # A hyphen joins a code: "HR-3S Pro" is the Pro model of the HR-3S.
        assert model_conflict("Hearthly禾屿 迷你电饭煲 HR-3S 1.2L", "Hearthly HR-3S Pro Mini Cuiseur à Riz 1,2 L Wi-Fi")
        # A Combo is the bundle of the model, not the model.
        assert model_conflict("Aerostab M4 手机稳定器 深空灰", "Aerostab M4 Combo – stabilisateur 3 axes, gris sidéral")

    def test_quantities_versions_and_names_on_one_side_only_are_not_models(self):
        # A version of a standard, a count glued to a word, a size and a quantity.
        assert not model_conflict("Meat Thermometer, Bluetooth 5.2, 2 Probes", "Termómetro para carne, app Bluetooth")
        assert not model_conflict("Bettwäsche Renforcé 2-teilig", "Parure de lit en coton renforcé")
        assert not model_conflict("Nuvolo Hybrid 150x190 cm", "Nuvolo Hybrid 独立袋装弹簧床垫 150×190cm")
        assert not model_conflict("Fumora Kettle 57 cm", "Fumora Kettle Holzkohle-Kugelgrill 57 cm")
        # A line named in one text only: nothing to compare.
        assert not model_conflict("Huggo Ergonomic Baby Carrier Air Mesh", "Porte-bébé physiologique 4 positions Huggo")

    def test_colours_in_plural_and_inflected_forms_and_not_inside_other_words(self):
        assert features("Navilux C3 HUD, Green Digits", "Navilux C3 affichage tête haute, chiffres bleus")[
            "unit_conflict"
        ] == 1
        assert features("Navilux C3 HUD, Green Digits", "Navilux C3 velocímetro, números verdes")["unit_conflict"] == 0
        graphite = "Vitaro SJ-150 Slow Juicer, Graphit\nFür Obst, Gemüse und Blattgrün."
        assert features(graphite, "Vitaro SJ-150 原汁机 石墨灰")["unit_conflict"] == 0  # Blattgrün is leafy greens
        assert features(graphite, "Vitaro SJ-150 原汁机 珍珠白")["unit_conflict"] == 1

    def test_a_part_sold_separately_is_left_out_of_the_kit(self):
        piano = "Korvell CP-560 Console Digital Piano with Bench, 88 Keys, Rosewood"
        assert kit_conflict(piano, "Korvell CP-560 Digitalpiano\n\nDie passende Klavierbank ist separat erhältlich.")
        assert not kit_conflict(piano, "Korvell CP-560 E-Piano mit Klavierbank, Rosenholz")
        assert kit_conflict("Maestrano FP-88 折叠电子琴 送琴包+延音踏板", "Maestrano FP-88\nPedal sold separately.")
        assert kit_conflict("Drone X4 avec télécommande", "X4 无人机 遥控器需另购")
        assert kit_conflict("Ostio AK-1 Kit, PSU Included", "Ostio AK-1\nFuente de alimentación no incluida.")
        assert kit_conflict("Coralba WaveMix 3000 con controlador WiFi", "WaveMix 3000\nOhne Controller geliefert.")
        assert kit_conflict("FP-88 Piano mit Tasche", "FP-88 Piano\nTasche als Zubehör erhältlich.")

    def test_a_pair_counts_two_and_a_combo_kit_is_a_bundle(self):
        assert features("Borriquetas Steadix 3 t (pareja)", "Lot de 4 chandelles Steadix 3 t")["unit_conflict"] == 1
        assert features("Steadix 3 Ton Jack Stands (Pair)", "Steadix Unterstellböcke 3 t, 1 Paar")["unit_conflict"] == 0
        assert bundle_one_sided("Steadix Jack Stands (Pair) + Trolley Jack Combo Kit", "Steadix Jack Stands, Pair")

    def test_returned_and_open_box_units_are_not_new_and_north_american_mains_is_a_market(self):
        assert attributes("Dolcevela DV-277 Hängematte – B-Ware (Rückläufer, geprüft)") == {
            "condition": frozenset({"refurbished"})
        }
        assert attributes("Open-box Lumora Hub 8, ex-display") == {"condition": frozenset({"refurbished"})}
        assert attributes("Voltaje: 120 V / 60 Hz, enchufe tipo A") == {"region": frozenset({"us"})}
        assert attributes("Funciona a 110 V y 220 V, 100-240 V, USB Type-A") == {}

    def test_colour_codes_systems_functions_and_combined_sizes_name_no_other_model(self):
        bag = "Sac de frappe sur pied Boxline BX-170F – 170 cm – noir"
        assert features(bag, "Boxline Free Standing Punching Bag 170cm, BX-170F-BK")["code_conflict"] == 0
        assert features(bag, "Boxline Free Standing Punching Bag 170cm, BX-170F-XL")["code_conflict"] == 1
        assert not declared_model_conflict("Canopia Hammock\nModel: CH-2D-OL.", "Canopia 户外吊床 CH-2D")
        assert declared_model_conflict("Canopia Hammock\nModel: CH-2D-OL.", "Canopia 户外吊床 CH-3D")
        assert not model_conflict("Castelo Box S2 Android TV 4K", "TV Box Castelo S2 Android TV 12, 4GB+32GB")
        assert not model_conflict("Pack 2 mandos Telemax TM-4 4 en 1", "【2只装】Telemax TM-4 万能遥控器 四合一")
        assert not features("Vizorra H6 Pro HUD OBD2+GPS", "Vizorra HUD H6 Pro OBD2/GPS 4,2 Zoll")["code_conflict"]
        # M/L is no one size M: both sizes.
        goggles = extract("Skibrille Gr. M/L, Rahmen schwarz").quantities
        assert {v for d, v in goggles if d == "letter size"} == {4.0, 5.0}
        assert ("letter size", 4.0) in extract("Ski Goggles, Size M").quantities

    def test_a_product_for_cars_is_no_accessory_and_a_cordless_tool_counts_no_batteries(self):
        assert not conflicts("Aspirateur de voiture Turbex AV-120 12 V", "Aspirador para coche Turbex AV-120, 12V")[
            "accessory"
        ]
        assert conflicts("Aspirateur Turbex AV-120", "Filtre de rechange pour Turbex AV-120")["accessory"]
        assert not kit_conflict("Aspirador Ciklo VacGo 2, 1 batería de 4000 mAh", "Ciklo VacGo 2 Akku-Autostaubsauger")
        assert not kit_conflict("Star Bear night light, 1 battery", "Star Bear\nCharge by USB-C, no more AA batteries.")
        assert attributes("Mobiles Whiteboard, das mal hier, mal dort gebraucht wird") == {}

    def test_a_spare_part_in_one_title_only_is_one_sided(self):
        assert spare_one_sided("Lente de recambio Glacira X7 Mag", "Glacira X7 Mag Ski Goggles")
        assert not spare_one_sided("Glacira X7 Mag Ski Goggles", "Glacira X7 Mag Skibrille")
        assert extract("Vitrano 磁性白板 GM-6040【两块装】").quantities >= {("count", 2.0)}

    def test_used_units_packs_in_digits_and_brands_glued_to_chinese(self):
        assert attributes("Tendedero Nordvik WR-60, blanco – usado, como nuevo") == {
            "condition": frozenset({"refurbished"})
        }
        used = {"condition": frozenset({"refurbished"})}
        assert attributes("Qinvo QW-15V Autohalterung, schwarz – gebraucht") == used
        assert attributes("Tendedero plegable, usado para secar ropa") == {}
        assert extract("【2条装】Sellaro BP-100 铝合金门底刷条").quantities >= {("count", 2.0)}
        assert brand_words("【西葫芦面神器】Zestique泽斯蒂 SZ-3 手摇螺旋切丝器", ["Zestique SZ-3 Spiralizer"] * 3) == {
            "zestique"
        }

    def test_a_negated_verb_a_new_clause_or_another_part_leaves_nothing_out(self):
        sterilizer = "Sterilizer SD-60, keeps sterile with the lid closed"
        assert not kit_conflict(sterilizer, "Esterilizador SD-60\nSi no abres la tapa, todo queda estéril.")
        lamp = "DL-40Q Lamp with 10W Wireless Charger"
        assert not kit_conflict("Lampe DL-40Q\nun éclairage sans scintillement et un chargeur Qi", lamp)
        assert not kit_conflict("Car Charger VC-65D\nCharger only – cables are not included.", "VC-65D 车载充电器")
        assert kit_conflict("Lampe DL-40Q, sans ampoule ni chargeur", lamp)

    def test_cloths_and_applicators_are_kit_parts_and_smoked_lenses_a_colour(self):
        wax = "GlossKraft CW-200 巴西棕榈蜡 200g 送打蜡海绵+纤维毛巾"
        assert kit_conflict(wax, "GlossKraft CW-200\nSchwamm und Mikrofasertuch sind hier nicht enthalten.")
        assert not kit_conflict(wax, "GlossKraft CW-200 Paste Wax with Foam Applicator and Microfibre Towel")
        ceiling = "Lumivo Smart LED Ceiling Light\n- Remote: 2.4G RF remote included (2 x AAA batteries not included)"
        assert not kit_conflict(ceiling, "Plafón LED Lumivo con mando a distancia")
        smoked = "Gafas Ondara OV-20, lente ahumada"
        assert features(smoked, "Lunettes Ondara OV-20, verres transparents")["unit_conflict"]
        assert not features(smoked, "Ondara OV-20 Swim Goggles, Smoke Tint")["unit_conflict"]

    def test_rose_gold_is_a_gold_and_a_weight_without_the_battery_leaves_no_battery_out(self):
        assert features("Kinévie KR-2 rouleau visage, or rose", "Kinévie KR-2 微电流滚轮 玫瑰金")["unit_conflict"] == 0
        assert extract("Serviette rose").quantities == extract("pink").quantities  # rose alone is a pink
        kit = "Aquaris BS-16 Cordless Sprayer – Kit incl. 2.0Ah Battery & Charger"
        assert not kit_conflict(kit, "Aquaris BS-16 kit con batería\n- Peso en vacío: 5,2 kg (sin batería)")
        assert kit_conflict(kit, "Aquaris BS-16 pulverizador, sin batería ni cargador")

    def test_a_used_or_returned_unit_said_in_the_description_and_cutlery_as_a_kit_part(self):
        used = {"condition": frozenset({"refurbished"})}
        assert attributes("Kiddora PS-12\nGebraucht, wenige Male benutzt.") == used
        assert attributes("Humivo TH-2\nGebrauchtware: einige Monate benutzt") == used
        assert attributes("Barra doble Ostrand DR-28 – artículo devuelto") == used
        assert attributes("Ideal, wenn die Tafel mal hier gebraucht wird.") == {}
        assert attributes("Chef's knife KS-20. Used by chefs worldwide.") == {}
        assert kit_conflict("Bentolia Bento-Box BX-2, mit Besteck", "Bentolia BX-2\nSe entrega sin cubiertos.")

    def test_a_part_free_product_names_no_part_and_codes_run_together_are_one_model(self):
        # A thermometer that needs no battery leaves the battery out; it does not name one.
        fridge = "Fridge Freezer Thermometer, Pack of 2\nHang or stand in the fridge. Battery-free."
        assert not kit_conflict("Kühlschrankthermometer 2er-Set\nOhne Batterie.", fridge)
        assert kit_conflict("Fridge Thermometer, batteryless", "Kühlschrankthermometer mit Batterie")
        # Spanish and French name a battery "pila", "pile" too.
        finder = "Detector de montantes Tecsona SF-400 – pila de 9 V incluida"
        assert kit_conflict(finder, "Tecsona SF-400 Stud Finder\nNote: 9V battery not included.")
        assert not kit_conflict(finder, "Détecteur Tecsona SF-400, pile 9 V fournie")
        # "A4 BT" and "A4BT" are one model; "A4X" is another.
        monitors = "Auralto A4 BT pareja de monitores de estudio activos 4\""
        assert not model_conflict(monitors, "Auralto A4BT Powered Studio Monitors (Pair)")
        assert model_conflict(monitors, "Auralto A4X Powered Studio Monitors (Pair)")
        assert not model_conflict("Dentava S7 Pro – negro", "Brosse à dents Dentava S7Pro noire")  # glued at the end
        # A supply's input written "85–264 VAC" is a voltage, like "85-264V".
        supply = "Powertek DR-60-24 导轨开关电源 24V\n输入AC 85-264V，输出DC 24V"
        assert features(supply, "Powertek DR-60-24 DIN Rail PSU\n85–264 VAC input, 24 VDC output")["unit_conflict"] == 0
        other = features(supply, "Powertek DR-60-24 DIN Rail PSU\n100–120 VAC input, 24 VDC output")
        assert other["unit_conflict"] == 2  # the range's two ends

    def test_a_pack_or_bundle_said_only_in_a_description_is_one_sided(self):
        gauge = "Manomètre de pneus numérique Presscore TG-60, 0-100 PSI"
        pair = gauge + "\nLot de 2 : un pour la voiture, un pour le garage."
        assert offer_one_sided("Presscore TG-60 数显胎压计 0-100PSI", pair)
        assert offer_one_sided(pair, "Presscore TG-60 Digital Tyre Gauge\nTwin pack for car and garage.") is False
        cooler = "Lunchora LB-12 Kühltasche\nSet-Angebot: inklusive 2 Kühlakkus."
        assert offer_one_sided("Lunchora LB-12 Cooler Bag", cooler)
        assert offer_one_sided("Tiffinly KB-4 Bento Box", "Tiffinly KB-4 儿童便当盒\n两件套：同款蓝色2个装。")
        # Not a kit's contents, a case called a coffret, the verb "set", nor a pack named in a title alone.
        snorkel = "Reefspark RS-200 浮潜\n套装包含：潜水镜×1、呼吸管×1"
        assert not offer_one_sided("Reefspark RS-200 Snorkel Set", snorkel)
        assert not offer_one_sided("Vorstak VX18-BS Drill", "Vorstak VX18-BS\n2 batteries + chargeur + coffret")
        assert not offer_one_sided("Kessla SC-65 Slow Cooker", "Kessla SC-65 Slow Cooker\nSet it in the morning.")
        assert not offer_one_sided("Rideaux occultants, lot de 2", "Blackout Curtains, 2 Panels")
        # A catalog SKU's brand line and title are no description.
        assert not offer_one_sided("Bebiko\nBM-2 Baby Food Maker Bundle with 6 Pots", "Bebiko BM-2 Baby Food Maker")

    def test_a_title_that_gives_the_brand_alone_names_no_other_model(self):
        generic, lite = "Rolla Foldable Lightweight Stroller", "Rolla Lite Buggy ab Geburt"
        rolla = frozenset({"rolla"})
        assert not model_conflict(generic, lite, brands=rolla)  # the brand alone says nothing of the line
        assert model_conflict(generic, lite)  # "Rolla" read as a line: Lite is another model
        # With the whole texts, a line named in the description is looked up there.
        assert not model_conflict(generic, lite, f"{generic}\nThe Rolla Lite folds with one hand.", lite)
        # A line the brand qualifies is still a model: plain Aero against Aero 5.
        stridemax = frozenset({"stridemax"})
        assert model_conflict("Stridemax Aero Running Shoe", "Stridemax Aero 5 Laufschuh", brands=stridemax)

    def test_a_radio_standard_s_version_names_no_model_and_the_brand_is_the_most_shared_word(self):
        sensor = "Sensor de temperatura y humedad QUILTA TH-02 Zigbee 3.0 con pantalla LCD, color blanco"
        assert not model_conflict(sensor, "【QUILTA】TH-02 Zigbee温湿度传感器 带LCD液晶屏 白色")
        documents = [
            "Sensor de temperatura y humedad QUILTA TH-01 Zigbee 3.0 mini, sin pantalla",
            "【QUILTA】TH-02 Zigbee温湿度传感器 带LCD液晶屏 白色",
            "QUILTA TH-02 Zigbee Thermometer Hygrometer mit LCD-Display",
            "Sensor de temperatura y humedad QUILTA TH-02 Zigbee 3.0, color negro",
        ]
        # "Sensor" leads the Spanish title and half the candidates share it; every one gives QUILTA.
        assert brand_words(sensor, documents) == {"quilta"}

    def test_model_codes_written_with_spaces_and_counts_of_parts_that_sell_no_pack(self):
        assert extract("Grünhof Akku-Bodenhacke GH 36-40, 2x18V (36 V)").codes == {"GH3640"}
        assert features("Grünhof GH 36-40 Bodenhacke", "Gruenhof GH36-40 Cordless Tiller")["code_agree"]
        # A suffix after the code's space: the same model as the glued one, another than the bare code.
        spaced = "TREVANT TOS-125 E Exzenterschleifer"
        assert extract(spaced).aliases == {"TOS125E"}
        assert not model_conflict(spaced, "Lijadora rotorbital TREVANT TOS-125E 350 W")
        assert model_conflict(spaced, "TREVANT TOS-125 Random Orbital Sander")
        ups = "USV Voltaris VX-1500 LCD – 900 W / 1500 VA"
        assert not model_conflict(ups, "【Voltaris】VX-1500LCD 在线互动式UPS不间断电源")
        assert features(ups, "【Voltaris】VX-1500LCD 在线互动式UPS不间断电源")["code_agree"]
        # Capitals after the space that may be a word or a size match a glued code, but name no other model.
        assert not model_conflict("Sorvik XB-27 LED Monitor", "Sorvik XB-27 Monitor")
        assert not model_conflict("Kraftzell KZ-EFB60 EFB Car Battery", "Batería Kraftzell KZ-EFB60 12 V")
        assert not model_conflict("Bebelink W20 Pro 儿童电话手表", "Bebelink W20Pro – montre")  # the suffix as a word
        # A mark is no part of the code, in any spelling; another mark is another model.
        assert not model_conflict("Sonoriq SQ-22 MK II USB-C Audio Interface", "Sonoriq SQ22 Mk2 2x2 USB-C")
        assert not model_conflict("Sonoriq SQ-22 MkII", "Interfaz Sonoriq SQ-22 MkII Studio")
        assert model_conflict("Sonoriq SQ-22 MkII", "Sonoriq SQ-22 MkIII")
        # A Chinese title's shop bracket does not end the brand's line: Mini 2 is not Mini 2 Pro.
        assert model_conflict("【Pedalix】Mini 2 无线GPS自行车码表", "Pedalix Mini 2 Pro GPS Bike Computer")
        assert not model_conflict("【Pedalix】Mini 2 无线GPS自行车码表", "Pedalix Mini 2 GPS Bike Computer")
        # Not a market, a size or a standard before or after a number.
        assert extract("Polarstep BH-20 M (EU 38-42), USB 3.0, CR 2032").codes == {"BH20"}
        insoles = "Polarstep BH-20 Heated Insoles with Remote, 2 x 3000mAh Rechargeable Batteries, Size M"
        assert not pack_one_sided(insoles, insoles, "Semelles chauffantes Polarstep BH-20", "Semelles Polarstep BH-20")
        assert extract("Duschgel 2 x 250 ml").quantities >= {("count", 2.0), ("volume", 500.0)}

    def test_open_box_second_hand_and_display_units_are_not_new(self):
        used = {"condition": frozenset({"refurbished"})}
        assert attributes("Verdell VC-1200 Electric Tiller – Open Box, Like New") == used
        assert attributes("Encuadernadora WB-34\nEstado: segunda mano, con marcas de uso.") == used
        assert attributes("Alpenwarm AW-4 secador de botas – caja abierta, producto revisado") == used
        assert attributes("迈途 G62S 手持GPS 二手 九成新") == used
        assert attributes("Verdell VC-1200 Electric Tiller, box opens flat for storage") == {}

    def test_a_spare_that_comes_with_the_product_sells_no_spare(self):
        shaver = "Flaumex FR-700 Corded Fabric Shaver, Spare Shaving Foil & Brush Included"
        assert not spare_one_sided(shaver, "Rasoir anti-peluches Flaumex FR700, lame de rechange incluse")
        assert not spare_one_sided("Zahnbürste Dentava S7 mit 2 Ersatzbürsten", "Dentava S7 Electric Toothbrush")
        assert spare_one_sided("Replacement Blade Set for Flaumex FR-700", shaver)

    def test_accessories_and_parts_named_in_german_compounds_are_kit_parts(self):
        kit = "KESTRA RT-300 Multifunktionswerkzeug 130 W, Set mit 80-tlg. Zubehör und Transportkoffer"
        bare = "KESTRA RT-300 Multifunktionswerkzeug 130 W\nLieferumfang: Gerät (Zubehör und Koffer separat erhältlich)"
        assert kit_conflict(kit, bare)
        assert not kit_conflict(kit, "Kestra RT 300 Rotary Tool Kit – 80 Accessories, Hard Carry Case")
        compressor = "Hartwerk HK 6-10 Kompressor-Set\nLieferumfang: Kompressor, 5-tlg. Zubehörset"
        assert kit_conflict(compressor, "Hartwerk HK 6-10 Kompressor 6 L – Einzelgerät ohne Zubehör")
        assert kit_conflict("Akku-Bodenhacke GH 36-40, inkl. Doppelladegerät", "Bodenhacke GH 36-40, ohne Ladegerät")
        pinpointer = "Orvesta PP-30 Pinpointer\nHinweis: 9-V-Blockbatterie ist NICHT im Lieferumfang enthalten."
        assert kit_conflict("Pointeur de détection Orvesta PP-30 – pile 9 V incluse", pinpointer)

    def test_starter_sets_kits_and_german_compounds_on_set_are_bundles(self):
        assert not bundle_one_sided("VALDORA 29410 Digital-Startset H0", "Valdora 29410 HO Digital Starter Set")
        assert bundle_one_sided("Kit de inicio NEXORA Zigbee 3.0", "Passerelle NEXORA NZ-HUB 2 Zigbee 3.0")
        assert bundle_one_sided("Fjellgut TK-1100 Titan-Kochset mit Tasse", "Fjellgut TK-1100 Titan-Kochtopf 1,1 L")
        assert not bundle_one_sided("Auralto H-20 Bluetooth Headset", "Casque Auralto H-20 Bluetooth")

    def test_blackout_against_light_filtering_mint_and_british_sockets(self):
        blind = "Estor enrollable opaco Velaro 100 x 180 cm, gris antracita"
        assert attribute_conflicts(blind, "Estor enrollable translúcido Velaro 100 x 180 cm, gris antracita")
        assert not attribute_conflicts(blind, "Velaro Blackout Roller Blind – Anthracite Grey")
        assert features("Snapkid PK-5 cámara, color menta", "Snapkid PK5 Kids Camera, Mint Green")["unit_agree"]
        assert attributes("Kestron KP-850T UPS 850VA, 4x UK BS 1363 Sockets") == {"region": frozenset({"uk"})}
        metronome = "Metrónomo mecánico Metrovia MM-40, acabado madera de nogal"
        assert features(metronome, "Metrovia MM-40 metronome, gloss black")["unit_conflict"]
        assert not features(metronome, "METROVIA MM40 Mechanical Metronome – Walnut Finish")["unit_conflict"]

    def test_wood_species_scents_bindings_and_fillings_tell_variants_apart(self):
        dome = "【Mistbridge】MB-D25 玻璃烟熏罩 直径25cm 胡桃木底座"
        assert attribute_conflicts(dome, "Mistbridge MB-D25 Räucherglocke aus Glas, Sockel aus hellem Akazienholz")
        assert not attribute_conflicts(dome, "Mistbridge MB-D25 Smoking Cloche, Glass, Walnut Base")
        assert attribute_conflicts("Reposapiés RestaPod RP-12 de haya", "RestaPod RP-12 实木脚踏 桦木")
        assert attributes("Casier à vin Kellerholm KH-30 en pin massif")["wood"] == frozenset({"pine"})
        bags = "Pawtidy Compostable Dog Poop Bags – 240 Bags, Unscented"
        assert attribute_conflicts(bags, "Sacs à crottes Pawtidy parfum lavande – 240 sacs")
        assert not attribute_conflicts(bags, "Sacs à crottes Pawtidy sans parfum – 240 sacs")
        assert "scent" not in attributes("柠檬酸除垢剂 500g")  # citric acid, not a lemon scent
        assert attribute_conflicts("Carnet Carnetto A5 – couverture rigide", "Cuaderno Carnetto A5, tapa blanda")
        pillow = "Milkaro Stillkissen 190 x 30 cm mit EPS-Mikroperlen"
        assert attribute_conflicts(pillow, "Cojín de lactancia Milkaro 190 x 30 cm con relleno de fibra hueca")
        # A pillow's page names every layer: the filling is read in titles only.
        assert "filling" not in WHOLE_TEXT_ATTRIBUTES

    def test_a_display_sample_a_rolled_canvas_and_a_ball_for_the_hall(self):
        mirror = "Lumivera LV-8060 LED浴室镜 80×60cm 防雾 三色光 — 展示样品 边角轻微划痕 无原包装"
        assert attributes(mirror)["condition"] == frozenset({"refurbished"})
        framed = "【Pintoro】数字油画 DIY手绘填色画 PT-4050-07 樱花小径 40×50cm 带内框 丙烯颜料"
        assert kit_conflict(framed, "Pintoro Malen nach Zahlen PT-4050-07 40x50 cm – ohne Rahmen, Leinwand gerollt")
        assert not kit_conflict(framed, "Pintoro Paint by Numbers PT-4050-07, 40 x 50 cm, framed canvas")
        assert not kit_conflict("Miroir sans cadre 60 cm", "Frameless Round Mirror 60 cm")
        hall = "Kairo V500 Volleyball Halle, Größe 5, Gelb/Blau/Weiß"
        assert attribute_conflicts(hall, "Kairo V500 Beach Volleyball, Official Size 5, Yellow/Blue/White")
        assert not attribute_conflicts(hall, "Kairo V500 Indoor Volleyball, Size 5")

    def test_scents_of_a_candle_a_grown_diamond_brass_felt_and_a_desk_without_its_chair(self):
        figs = "Velmora difusor de varillas Higo y Cedro 200 ml con 8 varillas de ratán"
        assert attribute_conflicts(figs, "Velmora Reed Diffuser Lavender & Sage 200ml with 8 Rattan Reeds")
        assert not attribute_conflicts(figs, "Velmora Reed Diffuser Fig & Cedar 200ml")
        ring = "Bague solitaire Orvane Étoile – or jaune 18 carats – diamant naturel 0,25 ct – taille 54"
        assert attribute_conflicts(ring, "Orvane Étoile Ring, 18K Gold, 0.25 ct\nWith a laboratory-grown centre stone.")
        slide = "Riverglass Bottleneck-Slide aus Borosilikatglas, Größe M"
        assert attribute_conflicts(slide, "Slide de latón Riverglass")
        assert attribute_conflicts("Kartel SG-2 收纳盒 PU皮革 棕色", "Kartel SG-2 Sitzspalt-Organizer aus Filz, braun")
        # 铜质 is brass: a knife's brass lifter beside its stainless blade.
        knife = "Veredor VK-210 折叠嫁接刀 不锈钢刀片 带铜质挑皮片"
        assert not attribute_conflicts(knife, "Veredor VK210 Grafting Knife with Brass Bark Lifter, Stainless Blade")
        assert kit_conflict("Escritorio infantil Kinnu KD-80, rosa (sin silla)", "Kinnu KD-80 Kids Desk and Chair Set")

    def test_a_camera_body_sold_alone_leaves_the_kit_lens_out(self):
        body = "Halvorn X-70 Mirrorless Camera Body Only – Silver | 26MP APS-C, 4K30p"
        assert kit_conflict(body, "Halvorn X-70 Systemkamera silber + XH 18-55 mm F2.8-4 OIS Kit-Objektiv")
        assert not kit_conflict(body, "Halvorn X-70 Systemkamera silber, nur Gehäuse, 26 MP")
        assert not kit_conflict("Halvorn X-70 套机 18-55mm 银色", "Halvorn X-70 + 18-55 mm kit lens, silver")

    def test_the_voice_of_an_instrument_the_hand_alone_amber_rainbow_a_flawed_unit_a_crib_and_chalk(self):
        reeds = "Cantora Blätter für Altsaxophon, Stärke 3 – 10er-Packung"
        assert attribute_conflicts(reeds, "Cañas Cantora para saxofón tenor, fuerza 3, caja de 10")
        assert not attribute_conflicts(reeds, "Cantora Alto Saxophone Reeds, Strength 3, Box of 10")
        assert attribute_conflicts("Ukulélé de concert Maluna M-23", "Maluna M-23 Soprano Ukulele")
        assert "voice" not in attributes("Grabadora de voz – voice recorder alto rendimiento")
        assert "voice" not in WHOLE_TEXT_ATTRIBUTES  # a page compares sizes ("louder than a soprano")
        # The hand alone between commas or dashes.
        mouse = "Palmora V3 Vertical Mouse – Right Hand, Large"
        assert attribute_conflicts(mouse, "Souris verticale Palmora V3 pour gaucher, taille L")
        assert attribute_conflicts("Eishockeyschläger Glacio G2, Kurve P92, links – Senior", "Glacio G2 冰球杆 右手 P92")
        assert not attribute_conflicts(mouse, "Palmora V3 Vertical Mouse for right-handed users")
        assert "hand" not in attributes("Useful links, manuals and drivers for the V3")
        bottle = "【Velune】VL-50 复古香水瓶 50ml 琥珀色"
        assert features(bottle, "Velune VL-50 Parfümflakon 50 ml, smaragdgrün")["unit_conflict"]
        assert not features(bottle, "Velune VL-50 Perfume Bottle, 50 ml, Amber Glass")["unit_conflict"]
        assert features("Popplo Pop-It rund, Regenbogen", "Popplo Pop-It redondo, color morado")["unit_conflict"]
        assert attributes("Ardo 鞋柜 白色【瑕疵特价 外观微损】")["condition"] == frozenset({"refurbished"})
        assert "condition" not in attributes("Ardo 鞋柜 白色 无瑕疵")
        backpack = "Mochila cambiador Lulo LB-3 – se vende sin la cuna plegable"
        assert kit_conflict(backpack, "【Lulo】LB-3 妈咪包 折叠婴儿床款")
        assert not kit_conflict(backpack, "Lulo LB-3 Wickelrucksack, grau")
        chalk_line = "Marko 30 m Chalk Line with 115 g Blue Chalk"
        assert kit_conflict("Cordeau traceur Marko 30 m – livré sans poudre", chalk_line)

    def test_colours_in_a_set_a_single_pair_chestnut_satin_paint_and_liquid_cooling(self):
        glitter = "Sparka Glitzerpulver-Set fein – 12 Farben à 10 g"
        assert features(glitter, "Sparka set de purpurina fina – 24 colores de 10 g")["unit_conflict"]
        assert not features(glitter, "Sparka Fine Glitter Set, 12 Colours x 10 g")["unit_conflict"]
        assert "colours" not in {d for d, _ in extract("3色温 LED台灯, 16 millions de couleurs").quantities}
        assert ("count", 2.0) in extract("【Tovo】登山靴鞋带 150cm 1双装").quantities
        assert features("Perruque Coiffa CL-3, châtain", "Peluca Coiffa CL-3, negro natural")["unit_conflict"]
        paint = "Chroma Pure Matt Wall Paint – Sage – 2.5L"
        assert attribute_conflicts(paint, "Chroma Pure Silk pintura satinada, color Sage, 2,5 L")
        assert attributes("Esmalte satinado Chroma, blanco, 750 ml")["sheen"] == frozenset({"satin"})
        # Seidenmatt is matte and satin both: a violin's "seidenmatt" varnish is its 哑光油漆.
        assert not attribute_conflicts("Geigengarnitur SV 200 4/4, seidenmatt", "SV-200 小提琴 4/4 哑光油漆")
        gpu = "Kyro N790 Hydro 24GB – Tarjeta gráfica con refrigeración líquida"
        assert attribute_conflicts(gpu, "Kyro N790 Storm OC 24G 风冷三风扇 显卡")
        assert not attribute_conflicts(gpu, "Kyro N790 Hydro 24 GB Grafikkarte mit Wasserkühlung")
        assert "cooling" not in WHOLE_TEXT_ATTRIBUTES  # a card's page compares itself with liquid cooling

    def test_the_accuracy_class_of_glassware_the_key_of_a_clarinet_and_paper_on_one_side(self):
        flask = "Matraz aforado Vitrolab clase A 250 ml, vidrio borosilicato 3.3, tapón de PE NS 14/23"
        assert attribute_conflicts(flask, "Vitrolab Volumetric Flask Class B 250 ml, Borosilicate Glass 3.3")
        assert not attribute_conflicts(flask, "Vitrolab Messkolben Klasse A, 250 ml, NS 14/23")
        burette = "Burette Laboris 50 ml, robinet PTFE\nCaractéristiques :\n- Classe : B, tolérance ± 0,10 ml"
        assert attribute_conflicts("【LABORIS】A级滴定管 50ml 直型PTFE活塞", burette)
        # Not an energy or FCC class, the fires an extinguisher puts out, nor a list of classes.
        for text in ("Energy class A, 230 V", "FCC Class B digital device", "For Class A fires", "Klasse A/B"):
            assert "tolerance" not in attributes(text), text
        clarinet = "Halvorsen HCL-300 Student Bb Clarinet, ABS Resin, Nickel Keys"
        assert attribute_conflicts(clarinet, "Halvorsen HCL-300 Es-Klarinette, ABS-Korpus")
        assert not attribute_conflicts(clarinet, "Clarinete en Si bemol Halvorsen HCL-300")
        assert not attribute_conflicts(clarinet, "【Halvorsen】HCL-300 降B调单簧管 黑管 ABS树脂")
        assert attributes("Saxophone alto Mib Marceau MAS-560")["key"] == frozenset({"eb"})
        assert "key" not in attributes("Gardora BB-420 Pedestal Bird Bath")
        assert "key" not in WHOLE_TEXT_ATTRIBUTES  # a page names the keys of the family
        origami = "【Kamiori】OP-500 双面彩色折纸 15×15cm 500张 50色"
        assert attribute_conflicts(origami, "Papel de origami Kamiori OP-500 de una cara, 500 hojas de 15 x 15 cm")
        assert not attribute_conflicts(origami, "Kamiori OP-500 Faltpapier beidseitig farbig, 500 Blatt, 15 x 15 cm")
        assert "sides" not in WHOLE_TEXT_ATTRIBUTES  # a page mounts with double-sided tape

    def test_the_make_of_car_an_accessory_is_cut_for(self):
        shade = "Schattix Magnet-Sonnenschutz für VW Golf 8 (5-Türer, ab 2020), Seitenscheiben hinten, 2er-Set"
        assert attribute_conflicts(shade, "Pare-soleil magnétiques Schattix pour Seat Leon IV 5 portes, lot de 2")
        assert attribute_conflicts(shade, "Schattix 大众高尔夫8 磁吸遮阳帘 后侧窗 2片装") == 0
        assert attribute_conflicts(shade, "Parasoles Schattix para Volkswagen Golf VIII, Audi A3 y Seat Leon") == 0
        assert "car" not in attributes("Seat cushion for office chairs, memory foam")
        assert "car" not in WHOLE_TEXT_ATTRIBUTES  # a page lists the cars it does not fit

    def test_the_profile_of_keycaps_and_the_output_signal_of_a_sensor(self):
        keycaps = "Pellory Nordic Fog PBT Keycaps – 129 Keys, Cherry Profile, Doubleshot, ANSI"
        assert attribute_conflicts(keycaps, "Pellory Nordic Fog – keycaps PBT double-shot profil XDA, 129 touches")
        assert not attribute_conflicts(keycaps, "Pellory Nordic Fog PBT Tastenkappen, Cherry-Profil, 129 Tasten")
        assert "profile" not in attributes("Kestra K8 keyboard with Cherry MX Red switches")
        anemometer = "Anemómetro de cazoletas Borealis WS-A30, 0-30 m/s, salida 0-5 V, aluminio, IP65"
        assert attribute_conflicts(anemometer, "Borealis WS-A30 Schalenanemometer, 0–30 m/s, Ausgang 4–20 mA, IP65")
        assert not attribute_conflicts(anemometer, "Borealis WS-A30 cup anemometer, 0-5V output, IP65")
        assert attributes("Transmitter 0-10V / 4-20mA")["signal"] == frozenset({"0-10 v", "4-20 ma"})

    def test_rolls_are_a_counted_part(self):
        roller = "【CLEANO洁舒】LR-16 粘毛器 16cm宽 1手柄+3卷(每卷60张)"
        assert kit_conflict(roller, "CLEANO LR-16 Fusselroller, 1 Griff + 6 Rollen à 60 Blatt")
        assert not kit_conflict(roller, "CLEANO LR-16 Lint Roller, 1 Handle + 3 Rolls of 60 Sheets")

    def test_double_packs_named_in_one_word_and_chinese_sets_of_units_are_packs(self):
        assert ("count", 2.0) in extract("Spaceo AirChamber 175 ml – Doppelpack für Kita & Zuhause").quantities
        assert ("count", 3.0) in extract("Dreierpack Mikrofasertücher").quantities
        assert ("count", 2.0) in extract("Lot de deux lampes").quantities
        gate = "【Lullen】SafeStep 76 儿童安全门栏\n【套装说明】本链接为两套装（2个门栏）"
        assert offer_one_sided("Lullen SafeStep 76 Pressure Mounted Baby Gate", gate)
        assert not bundle_one_sided("Toolvik SK-25 Doppelset", "Toolvik SK-25 2er-Set")  # a count, not a bundle

    def test_a_robot_vacuums_empty_station_is_a_kit_part(self):
        station = "Aerovac R8 Saugroboter, 4000 Pa\nLieferung mit Standard-Ladestation, ohne Absaugstation."
        assert kit_conflict("Aerovac艾洛维 R8 扫地机器人 自动集尘基站 4000Pa", station)
        assert not kit_conflict("Aerovac R8 Robot Vacuum, LiDAR, 4000 Pa", station)

    def test_a_stainless_finish_against_a_colour_the_other_gives(self):
        steel = "Kelvara VX-90 Pro Vacuum Sealer – Built-in Roll Storage & Cutter, 95 kPa, Stainless Steel"
        black = "Kelvara VX-90 Pro Vakuumierer mit Rollenfach und Cutter, Mattschwarz, 95 kPa"
        assert finish_conflict(steel, steel, black, black) and finish_conflict(black, black, steel, steel)
        both = "Kelvara VX-90 Pro Vakuumierer, Edelstahl, schwarz"
        assert not finish_conflict(steel, steel, both, both)  # stainless under a black finish
        assert not finish_conflict(steel, steel, "Kelvara VX-90 Pro Vakuumierer", "Kelvara VX-90 Pro Vakuumierer")
        assert not finish_conflict(steel, steel, "Kelvara VX-90 Pro, silber", "Kelvara VX-90 Pro, silber")

    def test_a_generation_or_model_year_on_one_side_only(self):
        fryer = "Friteuse compacte Pomelli Compact 1,5 L – 1000 W – Rouge"
        assert version_one_sided(fryer, "Freidora Pomelli Compact Gen 2 de 1,5 L, roja, 1000 W")
        assert version_one_sided("Barkly BC-30 Mini Antibellhalsband (Modell 2024)", "Barkly BC-30 Mini Bark Collar")
        assert version_one_sided("Tarvik Nighthawk Steeldarts 23 g", "【Tarvik】Nighthawk 二代 钢头飞镖 23克")
        assert not version_one_sided("Pomelli Compact 2nd Gen Air Fryer", "Freidora Pomelli Compact Gen 2")
        # The generation of a standard is no product's.
        assert not version_one_sided("Nexvault SSD NVMe PCIe Gen 4", "Nexvault SSD NVMe PCIe 4.0")
        assert not version_one_sided("Nexvault USB 3.2 Gen 2 Gehäuse", "Boîtier Nexvault USB-C 10 Gbit/s")

    def test_extra_items_added_on_and_packs_that_bundle_things_are_bundles(self):
        head = "Alcachofa de ducha con filtro Rainory RF-3, 3 modos, cromada"
        assert bundle_one_sided(head, "Rainory RF-3 Duschkopf mit Filter + 2 Ersatzfilter")
        assert bundle_one_sided("Bebiko BM-2 婴儿辅食料理机 灰色 + 6个辅食储存杯", "Bebiko BM-2 Baby Food Maker – Grey")
        assert bundle_one_sided("Sonoriq SQ-22 MkII Audio-Interface", "Sonoriq SQ-22 MkII Studio Pack – interfaz")
        assert bundle_one_sided("SKYREST Aero 140 车顶帐篷", "Pack Skyrest Aero 140 gris graphite + annexe fermée")
        # Not a count of one thing, a capacity, a burner layout or two things a kit holds anyway.
        assert not bundle_one_sided("Lot de 2 lampes Helmi TL-5", "Helmi TL-5 Akku-Schreibtischlampe")
        assert not bundle_one_sided("Snapkid PK5, 3 Paper Rolls + 32GB Card", "Snapkid PK-5 cámara")
        assert not bundle_one_sided("Brasalia Terra 3+1 Gas Grill", "Barbacoa de gas Brasalia Terra 3+1")
        assert not bundle_one_sided("Nuqueo NM-8, adaptateur secteur + câble allume-cigare", "NUQUEO NM-8 Pillow")

    def test_a_short_code_that_the_others_code_extends_is_another_model(self):
        # No line name before the code for the designations to read.
        assert model_conflict("SG-2 Sitzlückenfüller, braun", "SG-2U Sitzlückenfüller mit USB")
        assert model_conflict("【迈途】G62 手持GPS定位仪", "【迈途】G62S 手持GPS定位仪")
        assert not model_conflict("Kartel SG-2 Sitzlückenfüller", "Kartel SG2 seat gap filler")
        assert not model_conflict("Auralto A4 BT monitores", "Auralto A4BT Studio Monitors")  # two characters

    def test_short_codes_of_one_series_with_other_numbers_are_other_models(self):
        assert model_conflict("【套装】Bebiko贝比可 BM-2 婴儿辅食料理机 灰色", "Bebiko BM-3 Babykost-Zubereiter grau")
        assert model_conflict("Orbyte G17 便携显示器 17.3英寸", "Orbyte G15 15.6\" Portable Gaming Monitor")
        assert not model_conflict("Bebiko BM-2 料理机", "Bebiko BM2 Babykost-Zubereiter")
        assert not model_conflict("Bebiko BM-2 料理机", "Kornwell KB-3 Babykost-Zubereiter")  # another series
        # Tyre rims that a snow sock fits, listed in part: no model.
        assert not model_conflict("Frostline SnowSock 68, für 225/45 R17", "Frostline SnowSock 68, fits 205/55 R16")

    def test_what_reads_as_used_or_left_out_only_where_it_says_so(self):
        assert attributes("Estación Dockora DS-2B, ideal para probar discos de segunda mano.") == {}
        assert attributes("售后：7天无理由退换（未拆封），一年质保") == {}
        used = {"condition": frozenset({"refurbished"})}
        assert attributes("Pizarra blanca Markora MB-1290D, 120x90 – de segunda mano") == used
        oximeter = "Kiddoxi KX-10 Pediatric Pulse Oximeter\n- Weight: 38 g without batteries"
        assert not kit_conflict(oximeter, "Pulsioxímetro Kiddoxi KX-10, incluye 2 pilas")
        microscope = "Mikrokid MK-1200 儿童显微镜\n供电：2节5号AA电池（需另购）"
        assert not kit_conflict(microscope, "Microscope Mikrokid MK1200, fonctionne avec 2 piles AA")
        scanner = "Codexa CR-510 OBD2 Diagnosegerät\nStrom über den OBD-Stecker, keine Batterie nötig."
        assert not kit_conflict(scanner, "Codexa CR510 OBD2 Scanner, Live Data, 12V Battery Test")
        tablet = "Scribora Inkpad M SP-1062BT, Battery-Free Pen with 8192 Pressure Levels"
        assert not kit_conflict(tablet, "Scribora Inkpad M SP-1062BT 数位板 内置锂电池")
        # The batteries of a remote are left out, not the remote; "Batterien" are batteries too.
        fan = "Ventilador Tornavia TV-122, mando a distancia, pilas no incluidas"
        assert not kit_conflict(fan, "Tornavia TV-122 remote")
        assert kit_conflict("Fernbedienung, Batterien nicht enthalten", "Remote control with 2 batteries")

    def test_kits_standards_of_plugs_marks_and_glued_suffixes_name_no_other_model(self):
        intercom = "Tornavo TR-20S – Intercom moto Bluetooth, kit solo"
        assert not model_conflict(intercom, "Tornavo TR-20S – kit individual")
        assert not model_conflict("【双人套装】Ridvox RX-7 摩托车头盔蓝牙对讲耳机", "Ridvox RX-7 Duo – Motorrad Doppelpack")
        assert not model_conflict("Schattix für VW Golf 8 (5-Türer)", "Schattix sun shades for VW Golf Mk8 hatchback")
        # Capitals after a code's space are its suffix where the other text glues them on.
        assert not model_conflict("【沃坎VORKAN】WD-30S 干湿吹三用桶式吸尘器", "Vorkan WD 30 S Nass- und Trockensauger")
        assert not model_conflict("【测霸CEBA】数字钳形表 CB-266C 真有效值", "Pinza amperimétrica CEBA CB-266 C, 600 A")
        assert not model_conflict("Ampello PC-8R – Conditionneur secteur rack", "Ampello PC-8 R Netzleiste 19 Zoll")
        assert not model_conflict("Vorkan WD 30 S Nass- und Trockensauger", "Vorkan WD-30 Nass- und Trockensauger")
        assert not conflicts("Hilo tubular sin gas Ardelta E71T-GS", "Ardelta E71T-GS Gasless Flux-Cored Wire")[
            "excluded_named"
        ]

    def test_mains_voltages_of_one_standard_and_petrol_blue_agree(self):
        assert not features("Coolvik CV-12 移动空调 12000BTU 220V", "Coolvik CV-12 portátil 12.000 BTU, 230 V")[
            "unit_conflict"
        ]
        assert not features("Kettle 110V", "Kettle 120 V")["unit_conflict"]
        assert features("Kettle 120 V, US plug", "Kettle 230 V")["unit_conflict"]
        assert features("Kettle 240 V", "Kettle 230 V")["unit_conflict"]  # a British version
        sup = "Norsund Fjord 12'6 Touring SUP-Board – petrol"
        assert not features(sup, "Norsund Fjord 12'6 充气桨板 石油蓝")["unit_conflict"]

    def test_wood_tones_german_shades_and_finishes_tell_variants_apart(self):
        board = "Holzwerk HW-ES40 Stirnholz-Schneidebrett Eiche 40 x 30 x 4 cm"
        assert features(board, "Holzwerk HW-ES40 Stirnholz-Schneidebrett Nussbaum 40 x 30 x 4 cm")["unit_conflict"]
        assert not features(board, "Holzwerk HW-ES40 end-grain cutting board, oak, 40 x 30 cm")["unit_conflict"]
        assert features("ElevaDesk Flex E2, Oak Finish", "ElevaDesk Flex E2, Black Finish")["unit_conflict"]
        assert features("Audriva DAP-M7 Musikplayer – Titangrau", "Audriva DAP-M7 – Silber")["unit_conflict"]
        laser = "Pointrix P30 Presenter mit rotem Laserpointer"
        assert features(laser, "Pointrix P30 Presenter mit grünem Laserpointer")["unit_conflict"]
        assert features("Silla TrailNest MC-220, color arena", "TrailNest MC-220 chair, navy")["unit_conflict"]
        assert not extract("Pool pump with sand filter, que haya sido probada").quantities
        assert attribute_conflicts("Barlume BL-12 Cocktail Set, Polished Steel", "Barlume BL-12 Set, Brushed Steel")
        assert attribute_conflicts("Metrovia MM-40 metronome, gloss black", "Metrónomo Metrovia MM-40, negro mate")
        # A finish is read in titles only: a description's "matte screen" says nothing of the body.
        assert "sheen" not in WHOLE_TEXT_ATTRIBUTES

    def test_a_german_sets_pieces_a_british_model_and_a_pack_after_a_dash(self):
        assert ("pieces", 20.0) in extract("Spacio Vakuumbeutel-Set 20-teilig").quantities
        assert not [d for d, _ in extract("Kestra RT-300, Set mit 80-tlg. Zubehör").quantities if d == "count"]
        assert attributes("Ranvik CB-4400 UK Mobile CB Radio, 27/81 FM") == {"region": frozenset({"uk"})}
        assert attributes("Laufschuh Trailmark, Größe UK 9") == {}
        assert bundle_one_sided("Patinete Roulinou Flip 145 turquesa – pack protección", "Roulinou Flip 145 Scooter")

    def test_size_ranges_colour_pairs_roman_numbers_and_inches_read_alike(self):
        helmet = "Nivex Junior J1 Visor Casco de esquí, talla XS-S (48–52 cm), azul"
        assert not conflicts(helmet, "【Nivex】J1 Visor 儿童滑雪头盔 蓝色 XS-S码 头围48-52cm")["values_differ"]
        assert not features("【Barkio】TP-8 零食投喂器 灰白色", "Dispensador Barkio TP 8, gris y blanco")["unit_conflict"]
        assert not model_conflict("Schattix für VW Golf 8 (5-Türer)", "Schattix para Volkswagen Golf VIII")
        assert model_conflict("Schattix für VW Golf VII", "Schattix für VW Golf 8")
        board = "Tidewell Longboard 41\" Complete – 180mm Trucks, 70mm Wheels"
        assert not conflicts(board, "Tidewell Longboard 104 cm (41\"), 70-mm-Rollen, 180er Achsen")["values_differ"]
        assert conflicts(board, "Tidewell Longboard 97 cm, 70-mm-Rollen, 180er Achsen")["values_differ"]

    def test_the_pieces_of_a_set_are_no_pack_and_a_backpack_counts_nothing(self):
        shaker = "Barlume BL-12 Cocktail Shaker Set, 12 Pieces, Copper Finish"
        assert ("pieces", 12.0) in extract(shaker).quantities
        assert not [d for d, _ in extract(shaker).quantities if d == "count"]
        assert ("pieces", 12.0) in extract("【Barlume】BL12 调酒器套装 12件套 紫铜色").quantities
        pants = "Kidoo TP-4 Reusable Potty Training Pants, 4 Pack, Age 2 Years"
        assert ("count", 4.0) in extract(pants).quantities
        assert ("count", 4.0) in extract("Braguitas Kidoo TP4, lote de 4, talla 2 años").quantities
        assert not pack_one_sided(pants, pants, "Kidoo TP 4 Höschen 4er-Pack", "Kidoo TP 4 Höschen 4er-Pack")
        bag = "Travenza Metro Laptop Backpack 15.6\" – Black"
        assert not [d for d, _ in extract(bag).quantities if d == "count"]  # no "pack 15" inside "Backpack"
        scooter = "Trottinette enfant Roulinou Flip 145, turquoise"
        assert not features(scooter, "【Roulinou】Flip145 儿童两轮折叠滑板车 湖蓝色")["unit_conflict"]

    def test_copper_and_inflected_gold_are_colours(self):
        jigger = "Doseur à cocktail Osaki JG-2550 en inox, finition dorée"
        assert features(jigger, "Doseur à cocktail Osaki JG-2550 en inox, finition noire mate")["unit_conflict"]
        assert not features(jigger, "Osaki JG-2550 Japanese Jigger, Gold")["unit_conflict"]
        copper = "Barlume BL-12 Cocktail Shaker Set, 12 Pieces, Copper Finish"
        steel = "Barlume BL-12 Cocktail Shaker Set, 12 Pieces, Brushed Stainless Steel"
        assert finish_conflict(copper, copper, steel, steel)
        frother = "Vélou VL-400 Milchaufschäumer – Kupfer-Optik"
        assert not features(frother, "Mousseur Vélou VL-400, cuivre")["unit_conflict"]

    def test_marks_years_of_a_range_free_gifts_and_kits_read_as_the_listing_means(self):
        mats = "Tapis de sol Rovana FitLine pour Mavrel Orion (3e génération, 2021–2024)"
        assert not version_one_sided(mats, "Rovana FitLine Floor Mats for Mavrel Orion Mk3 (2021-2024)")
        assert not version_one_sided(mats, "【Rovana】FitLine 汽车脚垫 适用于Mavrel Orion 第三代 2021-2024款")
        # A gift that comes with the product is no pack of it; a pair alone in a title is two.
        robot = "Luminet LX-3 擦窗机器人 白色 【送12片清洁布】"
        assert not [d for d, _ in extract(robot).quantities if d == "count"]
        assert ("count", 2.0) in extract("Sonivo HA-22 Hearing Amplifiers – Pair, Behind-the-Ear").quantities
        assert ("count", 2.0) in extract("Fizzora QuickLock快扣式CO2气瓶 425g×2支").quantities
        assert not extract("Pair with your phone").quantities
        # A kit is a set; a set's pieces counted by the other title sell the same set; "PLA+ 3D" adds nothing.
        assert not bundle_one_sided("Kit éclairage vélo Lucebo Lumo 80", "Lucebo Lumo 80 Fahrradlicht-Set")
        shelves = "Perchly WS-4 Cat Climbing Set, 4 Pieces"
        assert not bundle_one_sided(shelves, "Repisas para gatos Perchly WS-4, 4 piezas")
        assert not bundle_one_sided("Filamundo PLA+ 3D Printer Filament 1.75mm", "Filament PLA+ Filamundo noir mat")
        assert bundle_one_sided("Lumakey Duo 400 – Ensemble clavier et souris", "Lumakey Duo 400 Wireless Keyboard")

    def test_a_cables_length_and_a_small_set_of_units(self):
        scope = "Optivue OV-55 Dual Lens Endoscope, 8mm Probe, 5m Semi-Rigid Cable"
        longer = "Optivue OV-55 Endoscope, 8 mm probe\nSpecifications: cable length 10 m"
        assert features(scope, longer)["unit_conflict"]
        assert not features(scope, "Endoscopio Optivue OV-55, sonda 8 mm, cable de 5 m")["unit_conflict"]
        assert ("cable length", 1.5) in extract("迈途 电源适配器 线长1.5米").quantities
        # A set of two mills is two mills; a set of twelve pieces is one set.
        mills = "Juego de molinillos de sal y pimienta Mortensal SM-18, 18 cm (2 piezas)"
        assert pack_one_sided(mills, mills, "Mortensal SM-18 Salt Mill, 18 cm", "Mortensal SM-18 Salt Mill, 18 cm")

    def test_a_used_unit_said_after_a_dash_an_exclusion_or_closing_a_clause(self):
        used = {"condition": frozenset({"refurbished"})}
        # The dash ends the exclusion before it: "ohne Akku" denies the battery, not the condition.
        assert attributes("Adhera GC-18 Akku-Heißklebepistole 18 V, ohne Akku – gebraucht, mit Gebrauchsspuren") == used
        rodillo = "Rodillo Trenvo TR-Flux 1500 W – artículo usado, con caja"
        assert attributes(rodillo)["condition"] == used["condition"]
        assert attributes("Cargador Solvane ADP-45SW 45W original usado, probado y funcionando")["condition"] == {
            "refurbished"
        }
        assert attributes("Easy to clean. Can be used, washed and reused") == {}
        assert attributes("El modelo más usado, ahora en rojo") == {}
        assert attributes("Ondaro F20 折叠电动自行车 【展示样车】车架有轻微划痕") == used

    def test_sizes_a_label_gives_a_range_and_eu_shoe_sizes(self):
        vest = "Chaleco de hidratación Trailwyn Vela 12 L, talla M/L, negro"
        assert features(vest, "Chaleco Trailwyn Vela 12 L trail running talla XS/S negro")["unit_conflict"]
        assert not features(vest, "Trailwyn Vela 12 L Laufweste, Größe L, schwarz")["unit_conflict"]
        shoes = "Strivo IC-2 Women's Indoor Cycling Shoes – White/Pink, EU 39"
        assert features(shoes, "Strivo IC-2 Damen Indoor-Cycling-Schuhe Weiß/Pink, Gr. 40")["unit_conflict"]
        assert not features(shoes, "Strivo IC-2 Zapatillas de ciclismo indoor, blanco/rosa, talla 39")["unit_conflict"]
        assert extract("Enchufe EU 16 A").quantities == {("current", 16.0)}

    def test_a_second_product_added_by_its_code_is_a_bundle(self):
        pair = "Ventura Laundry Pair: VD-10HP 10 kg Heat Pump Dryer + VW-10 10 kg Washing Machine, Graphite"
        assert bundle_one_sided(pair, "【澜风Ventura】VD-10HP 热泵烘干机 10公斤 石墨灰")
        assert not bundle_one_sided("Vizorra H6 Pro HUD OBD2 + GPS", "Vizorra H6 Pro HUD")
        assert not bundle_one_sided("Kabel USB-C + USB-A, 1 m", "Câble USB-C, 1 m")

    def test_what_a_box_leaves_out_guide_rails_memory_cards_and_taupe(self):
        saw = "Hexford HPS-1400 Plunge Track Saw 1400W, with 1.4m Guide Rail and Carry Case"
        bare = "Hexford HPS-1400 Track Saw in Carry Case\nFits all Hexford guide rails. Guide rail sold separately."
        assert kit_conflict(saw, bare)
        assert not kit_conflict(saw, "Scie plongeante Hexford HPS-1400 avec rail de guidage 1,4 m et coffret")
        camera = "Pixipop KC-20 Kids Camera with 32 GB microSD card"
        assert kit_conflict(camera, "Pixipop KC-20 Kinderkamera\nSpeicherkarte nicht enthalten.")
        assert left_out_one_sided(bare, saw)
        assert not left_out_one_sided(bare, "Hexford HPS-1400\nFührungsschiene separat erhältlich.")
        assert not left_out_one_sided(saw, "Hexford HPS-1400 Tauchsäge 1400 W mit Führungsschiene")
        parasol = "Parasol déporté Umbrio Ventura 300 – 3 x 3 m, taupe"
        assert features(parasol, "Parasol déporté Umbrio Ventura 300 – 3 x 3 m, anthracite")["unit_conflict"]
        assert not features(parasol, "Umbrio Ventura 300 Ampelschirm 3 x 3 m, taupe")["unit_conflict"]

    def test_pins_pairs_and_what_a_box_holds_count(self):
        lights = "Lumaxa TL-560 LED-Rückleuchtenset für Anhänger, 12 V, 13-polig, 7,5 m Kabel"
        assert features(lights, "Lumaxa TL-560 LED-Rückleuchtenset, 12 V, 7-polig, 7,5 m Kabel")["unit_conflict"]
        assert not features(lights, "Lumaxa TL-560 拖车LED尾灯套装 12V 7.5米线束 13针插头")["unit_conflict"]
        # Two pairs are four socks; one pair in the box is one pair.
        stockings = "Calvora Flight FS-2 Reise-Kompressionsstrümpfe, Gr. II, anthrazit, 2 Paar"
        assert features(stockings, "Calvora Flight FS-2 Kompressionsstrümpfe, anthrazit\nLieferumfang: 1 Paar")[
            "unit_conflict"
        ]
        pairs = "Calvora FS-2 medias de compresión de viaje, antracita, 2 pares"
        assert not features(stockings, pairs)["unit_conflict"]
        assert not [q for q in extract("健腹轮 AR-2 双轮静音").quantities if q[0] == "count"]
        assert ("count", 3.0) in extract("【Ferrovel】RG-60 橡胶刮泥垫\n包装清单：刮泥垫×3、拼接扣×4").quantities
        assert not [q for q in extract("Balkonset\nLieferumfang: 1 Tisch, 2 Stühle").quantities if q[0] == "count"]
        assert not [q for q in extract("急救箱\n包装清单：急救箱×1 壁挂支架×1").quantities if q[0] == "count"]

    def test_layouts_ivory_and_an_opened_box_are_variants(self):
        qwertz = "Tastura KC-11 Tastatur-Hülle für Orvia Pad 11 – QWERTZ, beleuchtet"
        assert attribute_conflicts(qwertz, "Tastura KC-11 étui clavier pour Orvia Pad 11 – AZERTY français")
        assert not attribute_conflicts(qwertz, "Tastura KC-11 keyboard case for Orvia Pad 11, German QWERTZ layout")
        candles = "Set de 3 velas LED Glimra GL-3R, cera real color marfil"
        assert features(candles, "Glimra GL-3R bougies LED lot de 3, vraie cire gris anthracite")["unit_conflict"]
        assert attributes("Grabadora Blu-ray Dataforge BDX-6U – producto abierto, embalaje dañado") == {
            "condition": frozenset({"refurbished"})
        }
        kitchen = "Tinkerloft KT-300 Wooden Play Kitchen, 12 Accessories Included"
        alone = "Cocina Tinkerloft KT-300\nNota: los accesorios, ollas y utensilios no están incluidos."
        assert left_out_one_sided(kitchen, alone)
        assert kit_conflict(kitchen, alone)

    def test_sections_steel_grades_and_sizes_said_in_words(self):
        # A cable's section and an engine's size are no lengths: 6 m against 4,5 m still differ.
        leads = "Câbles de démarrage Voltaxe JL-35 – 35 mm², 4,5 m, pinces isolées"
        assert extract(leads).quantities == {("length", 4500.0)}
        assert ("inch", 27.0) in extract("Veltrix VX27Q 27英寸2K电竞显示器").quantities
        boules = "Boules de pétanque La Cigalière Magnum – Inox – 74 mm / 700 g – jeu de 3"
        carbon = "La Cigalière Magnum Carbone – boules acier au carbone 74 mm 700 g"
        assert conflicts(boules, carbon)["attribute_conflict"]
        assert not conflicts(boules, "La Cigalière Magnum Edelstahl-Boule 74 mm 700 g, 3er-Set")["attribute_conflict"]
        brush = "【PAWLUX】SB-02 宠物自清洁针梳 一键退毛 大号L 猫狗通用 灰色"
        assert features(brush, "Pawlux SB-02 Self-Cleaning Slicker Brush, Small (S), Grey")["unit_conflict"]
        assert not features(brush, "Pawlux SB-02 Self-Cleaning Slicker Brush, Large (L), Grey")["unit_conflict"]
        assert attributes("Grivola Stelvio Pro chaussures d'alpinisme, 44 – reconditionnées grade A")["condition"] == {
            "refurbished"
        }

    def test_colour_combinations_single_units_returns_and_add_ons_said_in_a_description(self):
        jacket = "Moterra Tourer 3 Motorrad-Textiljacke Herren, schwarz/grau, Größe L"
        assert features(jacket, "Blouson moto Moterra Tourer 3 homme\nColoris : noir/rouge | Taille : L")["unit_conflict"]
        assert not features(jacket, "Moterra Tourer 3 摩托车骑行服 男款 灰黑色 L码")["unit_conflict"]
        cleaner = "Purvex SpotMate SC-300 Spot Cleaner\nColour: white/teal"
        assert not features(cleaner, "Nettoyeur Purvex SC300\nColoris blanc/bleu canard")["unit_conflict"]
        mirrors = "Ostrak CM-300 Rétroviseurs de caravane universels – paire, miroir 245 × 145 mm"
        assert features(mirrors, "Ostrak CM-300 rétroviseur de caravane à sangles – vendu à l'unité")["unit_conflict"]
        assert attributes("Hangbury HB-150 Kleiderständer\nZustand: Retoure, Verpackung geöffnet")["condition"] == {
            "refurbished"
        }
        kite = "【Aerolo】AS-180 双线特技风筝 送2×25m飞行线+手柄"
        assert left_out_one_sided(kite, "Cometa acrobática Aerolo AS-180 – solo cometa, sin líneas ni mangos")
        assert not left_out_one_sided(kite, "Aire acondicionado Coolvik CV-12, solo frío, 230 V")
        hub = "Lumora Hub 8 Smart Display, Anthrazit\nIn diesem Set erhalten Sie zwei Lumora Hub 8."
        assert offer_one_sided(hub, "Lumora Hub 8 – Pantalla inteligente de 8\"")
        pump = "Pumpe\nIn diesem Set ist alles für den Sofortstart dabei: Akku und Ladegerät liegen bei."
        assert not offer_one_sided(pump, "Pump")
        assert offer_one_sided("Dictaphone MR-P8\nCe pack inclut en plus un micro-cravate.", "Miravox MR-P8 录音笔")

    def test_burgundy_assorted_colours_carbon_fibre_settings_and_a_lettered_code(self):
        stethoscope = "Medivox Cardio C-300 Fonendoscopio doble campana, tubo 69 cm, color negro"
        assert features(stethoscope, "Medivox Cardio C-300 Fonendoscopio doble campana, tubo 69 cm, color burdeos")[
            "unit_conflict"
        ]
        patch = "Strand Audio PK-15 Patchkabel 6er-Set, 15 cm, schwarz"
        assorted = "Strand Audio PK-15 cables de parcheo, pack de 6, 15 cm, colores surtidos"
        assert features(patch, assorted)["unit_conflict"]
        assert not features(patch, "Strand Audio PK-15 câbles patch, lot de 6, 15 cm, noir")["unit_conflict"]
        paddles = "Costamar BP-2 Wooden Beach Paddle Set, 2 Paddles 40 x 23 cm + 1 Ball"
        assert attribute_conflicts(paddles, "Costamar BP-2 Carbon Set de palas de playa de fibra de carbono")
        assert not attribute_conflicts(paddles, "Costamar BP-2 Set de palas de playa de madera, 2 palas + 1 pelota")
        ball = "Solvanti BV-500 Beachvolleyball Größe 5, genäht, gelb/blau/weiß"
        assert attribute_conflicts(ball, "Solvanti BV-500 Indoor – Ballon de volley-ball taille 5")
        assert not attribute_conflicts(ball, "Solvanti BV-500 ballon de beach-volley taille 5, jaune/bleu/blanc")
        assert "setting" not in WHOLE_TEXT_ATTRIBUTES  # an outdoor camera's page says it works indoors too
        cable = "【Lynxwire 灵线】SP-45 静音乐器线 4.5米 插拔静音开关 黑色 全新正品"
        assert model_conflict(cable, "Lynxwire P-45 Instrumentenkabel 4,5 m, Klinke gerade/gewinkelt, schwarz")
        assert not model_conflict(cable, "Lynxwire SP-45 Instrumentenkabel mit Silent-Plug, 4,5 m, schwarz")
        # Codes that both name only as what they are for: each filter has its own.
        filter_ = "Filtre cartouche Purvex FC-30 pour aspirateurs eau et poussière WD 20 / WD 30"
        look_alike = "Filtre cartouche Aspirex AX-30 compatible Purvex WD 20 / WD 30 / WD 30 S"
        assert features(filter_, look_alike)["code_conflict"]
        assert features(filter_, "Purvex FC30 Patronenfilter für WD 20 und WD 30")["code_agree"]

    def test_a_violin_sold_without_its_case_and_bow_and_a_double_pack(self):
        violin = "【Strauven】SV-200 手工实木小提琴 4/4 云杉面板 含琴盒+琴弓+松香 全新正品"
        alone = "Violín 4/4 Strauven SV-200\nSe vende solo el instrumento, sin estuche, arco ni colofonia."
        assert kit_conflict(violin, alone)
        assert not kit_conflict(violin, "Strauven SV-200 Violine 4/4 mit Etui, Geigenbogen und Kolophonium")
        assert ("count", 2.0) in extract("Contenido: 2 adaptadores TA-65 (pack doble), 2 fundas").quantities
        watch = "Reloj pulsómetro FITMARK Core 5 con banda de pecho CS-20 incluida – GPS"
        assert kit_conflict(watch, "FITMARK Core 5 GPS Running Watch\nWatch only, without chest strap.")
        assert not kit_conflict(watch, "FITMARK Core 5 GPS-Laufuhr mit Brustgurt CS-20")

    def test_a_charger_for_micro_usb_and_ram_without_lighting_are_other_variants(self):
        charger = "PAVORA 2x Akku KB-55 2100 mAh + Dual USB-C Ladegerät mit LCD"
        micro = "PAVORA 2 baterías KB-55 2100 mAh + cargador doble micro USB con pantalla LCD"
        assert attribute_conflicts(charger, micro)
        assert not attribute_conflicts(charger, "PAVORA KB-55 电池2块 2100mAh + Type-C双充充电器")
        assert not attribute_conflicts("Câble USB C vers Lightning 1 m", "Cable USB-C a USB-C 1 m")
        assert "connector" not in WHOLE_TEXT_ATTRIBUTES
        ram = "Quantrix Fury-X DDR5 32 GB 6000 MHz\nDisipador de aluminio negro, sin iluminación."
        rgb = "Quantrix Fury-X RGB DDR5 32 GB 6000 MHz, iluminación ARGB"
        assert attribute_conflicts(ram, rgb, dimensions=WHOLE_TEXT_ATTRIBUTES)
        assert not attribute_conflicts(ram, "Quantrix Fury-X DDR5 32 GB 6000 MHz, ohne Beleuchtung")

    def test_video_lines_scales_wheel_sizes_layers_and_a_cover_left_out(self):
        monitor = "Monitor portátil Lumivo M16 15,6\" Full HD 1080p IPS, USB-C"
        assert features(monitor, "【4K超清】Lumivo M16 便携显示器 15.6英寸 3840×2160 IPS")["unit_conflict"]
        assert not features(monitor, "Lumivo M16 Portable Monitor 15.6 inch FHD 1920 x 1080 IPS")["unit_conflict"]
        locomotive = "Hollmark 78215 N Scale GP38-2 Diesel Locomotive 1:160, DCC Sound"
        h0 = "Hollmark 78315 locomotora diésel GP38-2 escala H0 1:87, sonido DCC"
        assert features(locomotive, h0)["unit_conflict"]
        assert not features(locomotive, "Hollmark GP38-2 Diesellok Spur N, DCC-Sound")["unit_conflict"]
        tyre = "Trailoro Gravix 29 x 2.40\" MTB Tyre – Tubeless Ready, Folding"
        assert features(tyre, "Pneu VTT Trailoro Gravix 27,5 x 2,40 (61-584) Tubeless Ready")["unit_conflict"]
        assert not features(tyre, "Trailoro Gravix MTB-Reifen 61-622, faltbar, Tubeless Ready")["unit_conflict"]
        cloths = "【Pippaloo】PL-BC3 纯棉纱布拍嗝巾 6层 3条装 50×25cm"
        assert features(cloths, "Langes d'épaule Pippaloo PL-BC3 en mousseline, lot de 3, 4 couches, 50 x 25 cm")[
            "unit_conflict"
        ]
        assert not features(cloths, "Pippaloo PL-BC3 Spucktücher, 3er-Pack, 6-lagig, 50 x 25 cm")["unit_conflict"]
        bottle = "Bouillotte longue Brunnholt BH-72L – 1,8 L – 72 cm – housse polaire amovible"
        assert kit_conflict(bottle, "Brunnholt BH-72L 长款热水袋 1.8L 72cm\n注：本链接为单胆，不含绒布外套")
        assert not kit_conflict(bottle, "Brunnholt BH-72L 长款热水袋 1.8L 72cm 含绒布外套")

    def test_reading_glasses_strengths_and_a_display_item(self):
        glasses = "【LUMAVIEW】LV-215 防蓝光老花镜 男女通用 +2.00度 黑色 TR90超轻镜框"
        assert features(glasses, "Lumaview LV-215 Blue Light Reading Glasses – Black\nStrength: +2.50")["unit_conflict"]
        assert not features(glasses, "Lumaview LV-215 Lesebrille +2,0 dpt, schwarz")["unit_conflict"]
        assert ("dioptres", 2.0) in extract("老花镜 +200度").quantities
        assert not extract("Zoom +0.50x, Set + 4.99 €").quantities
        stand = "Mueble TV Qimujia QM-TV180 nogal 180 cm – artículo de exposición con pequeñas marcas"
        assert attributes(stand)["condition"] == {"refurbished"}
        assert "condition" not in attributes("In the box: display unit with handle, 32 GB microSD card")

    def test_a_throwing_hand_a_light_or_dark_shade_a_flat_cable_and_lime_champagne_and_olive(self):
        # A glove's throwing hand, not the hand it is worn on: 右投（戴左手） is "droitier (se porte main gauche)".
        glove = "【HOLTBERG】HB-1175 棒球手套 11.75英寸 右投（戴左手）棕黑色\n适用：右投（手套戴在左手）"
        assert not attribute_conflicts(glove, "Gant de baseball Holtberg HB-1175, droitier (se porte main gauche)")
        assert attribute_conflicts(glove, "Guante Holtberg HB-1175, lanzador: zurdo (se lleva en la mano derecha)")
        assert attributes("Holtberg HB1175 Infield Glove, Right Hand Throw")["hand"] == {"right"}
        assert attributes("Baseballhandschuh HB 1175, Linkswerfer")["hand"] == {"left"}
        sofa = "【Dorvalle】DV-3120 三人位折叠沙发床 深灰色 亚麻质感布艺"
        assert attribute_conflicts(sofa, "Dorvalle DV-3120 Click Clack Sofa Bed, Light Grey Linen-Effect Fabric")
        assert not attribute_conflicts(sofa, "Canapé convertible DV-3120 Dorvalle, gris anthracite")
        assert not attribute_conflicts(sofa, "Dorvalle DV-3120 Schlafsofa, Grau")  # a shade against none
        assert attribute_conflicts("Housse gris clair", "Bezug dunkelgrau")
        assert "shade" not in attributes("A light, blue lamp")
        cable = "Strandix Cat 6 Flat Ethernet Cable 15 m, White, 1 Gbps"
        assert attribute_conflicts(cable, "Strandix Cat.6 Netzwerkkabel rund, 15 m, weiß")
        assert not attribute_conflicts(cable, "【Strandix】六类扁平网线 白色 15米")
        assert "cable" not in WHOLE_TEXT_ATTRIBUTES  # a page may say what a flat cable is not
        zester = "Haverly ZG-12 Zester & Fine Grater, Black Handle"
        assert features(zester, "Haverly ZG-12 Zestenreibe, Griff Limettengrün")["unit_conflict"]
        assert not features(zester, "Haverly ZG-12 Zestenreibe, Griff schwarz")["unit_conflict"]
        # Champagne is a finish of its own; 香槟金 is "or champagne", and olive a green.
        device = "Tonelle MC-300 Microcurrent Facial Toning Device – Champagne"
        assert features(device, "Tonelle MC-300 Mikrostrom-Gesichtsgerät – Roségold")["unit_conflict"]
        assert not features("Ostrand DR-28 双层罗马杆 香槟金", "Tringle Ostrand DR-28, or champagne")["unit_conflict"]
        assert features("Helioflux HX-60 Solar Panel, Olive", "Helioflux HX-60 panel solar verde oliva")["unit_agree"]

    def test_a_descending_dash_is_no_range_a_gem_weighs_in_carats_and_initials_of_a_kind_are_no_brand(self):
        arrows = "Flèches carbone Pelerin Skyline CX spine 500 – 28 pouces (71 cm), lot de 12"
        assert ("inch", 28.0) in extract(arrows).quantities
        assert features("Pelerin Skyline CX Carbon Arrows 30\" Spine 500, 12-Pack", arrows)["unit_conflict"]
        assert ("temperature to", 40.0) in extract("Plage 10 – 40 °C").quantities  # a range still ascends
        ring = "Bague solitaire Orvane Étoile – or jaune 18 carats – diamant naturel 0,25 ct – taille 54"
        assert ("carat", 0.25) in extract(ring).quantities
        assert ("carat", 0.5) in extract("【Orvane】Étoile 18K黄金 天然钻石 0.50克拉 六爪 求婚钻戒").quantities
        assert features(ring, "【Orvane】Étoile 18K黄金 天然钻石 0.50克拉 六爪 求婚钻戒")["unit_conflict"]
        assert not features(ring, "Orvane Étoile 18K 天然钻石 0.25克拉 钻戒 54号")["unit_conflict"]
        assert ("count", 40.0) in extract("Sudora Laundry Pods, 40 ct").quantities
        query = "Electroestimulador TENS/EMS Nervia DuoPulse T20 – 2 canales, 24 programas"
        documents = [
            "Nervia DuoPulse T20 TENS & EMS Machine", "Nervia DuoPulse T20 TENS/EMS-Reizstromgerät",
            "Électrostimulateur TENS/EMS Calmeo P24 – 2 canaux", "Nervia DuoPulse T30 TENS/EMS-Gerät",
        ]
        assert brand_words(query, documents) == {"nervia"}
        assert lacks_brand(documents[2], brand_words(query, documents))
        assert brand_words("Filtre ND variable Lumaxe ND2-ND400 82 mm", ["Lumaxe ND filter 82mm"] * 3) == {"lumaxe"}

    def test_a_pack_against_a_kit_of_more_pieces_is_one_sided(self):
        kit = "【Trailmedic】TM-120 户外急救包 120件套 红色防水尼龙包 全新正品 包邮"
        three = "Trailmedic TM-120 Erste-Hilfe-Set Outdoor, 120-teilig, rote Nylontasche – 3er-Set"
        assert pack_one_sided(kit, kit, three, three)
        assert not pack_one_sided(kit, kit, kit, kit)
        # As many pieces as the pack counts: the same pack, said otherwise.
        pack, pieces = "Kantwerk KS-3 Senker, 3er-Pack", "Kantwerk KS-3 Kegelsenker 3-teilig"
        assert not pack_one_sided(pack, pack, pieces, pieces)
