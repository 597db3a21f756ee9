package store

// migrateEmerg is the step of issue #10 (emergencies):
//   - organisations get the kinds lift, waste_operator and gas_service. SQLite cannot
//     change a CHECK in place and organizations is referenced from everywhere, so the
//     CHECK's text is widened in sqlite_schema (the procedure SQLite's documentation
//     gives for loosening a constraint: nothing on disk changes) and the schema
//     reloaded. A «contractor» of the first release becomes a lift organisation: the
//     first release had no other use for one; the administrator changes it if not.
//   - buildings get their lift contractor (lift_org_id).
//   - work types get the catalogue's new facts (cold-period deadline, localisation
//     clock, clock window, responsible, hand-off, retired) and the administrator's
//     own routing and keywords. The first release's «supplier» flag becomes a routing
//     override only where the administrator had changed it; its keywords become the
//     administrator's own only where they differ from the first release's defaults
//     (listed below), so that the catalogue's keywords_ru replace the old defaults.
//     The federal facts themselves are written by LoadWorkTypes from the embedded
//     catalogue at every start.
//   - tickets get localized_at: when the emergency was localised.
const migrateEmerg = `
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (kind IN (''management'',''supplier'',''contractor''))',
  'CHECK (kind IN (''management'',''supplier'',''lift'',''waste_operator'',''gas_service''))')
WHERE type = 'table' AND name = 'organizations';
PRAGMA writable_schema = RESET;
UPDATE organizations SET kind = 'lift' WHERE kind = 'contractor';

ALTER TABLE buildings ADD COLUMN lift_org_id INTEGER REFERENCES organizations(id);

ALTER TABLE work_types ADD COLUMN cold_hours REAL NOT NULL DEFAULT 0;
ALTER TABLE work_types ADD COLUMN localize_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work_types ADD COLUMN clock_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE work_types ADD COLUMN responsible TEXT NOT NULL DEFAULT 'management';
ALTER TABLE work_types ADD COLUMN route_override TEXT NOT NULL DEFAULT '';
ALTER TABLE work_types ADD COLUMN handoff TEXT NOT NULL DEFAULT '';
ALTER TABLE work_types ADD COLUMN local_keywords TEXT NOT NULL DEFAULT '';
ALTER TABLE work_types ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
UPDATE work_types SET route_override = 'supplier' WHERE supplier AND code NOT IN ('HW-02','HW-03');
UPDATE work_types SET route_override = 'management' WHERE NOT supplier AND code IN ('HW-02','HW-03');
UPDATE work_types SET responsible = 'supplier' WHERE code IN ('HW-02','HW-03');
CREATE TEMP TABLE release1_keywords(code TEXT PRIMARY KEY, keywords TEXT NOT NULL);
INSERT INTO release1_keywords VALUES
  ('ROOF-01', 'течёт крыша протекает потолок капает с потолка заливает сверху'),
  ('CW-01', 'прорвало трубу течёт стояк холодная вода потоп заливает'),
  ('CW-02', 'нет холодной воды отключили воду'),
  ('CW-05', 'течёт кран капает'),
  ('CW-06', 'течёт унитаз бачок'),
  ('HW-01', 'прорвало трубу течёт стояк горячая вода полотенцесушитель потоп заливает'),
  ('HW-02', 'нет горячей воды отключили горячую'),
  ('HW-04', 'холодная горячая вода еле тёплая'),
  ('HEAT-01', 'течёт батарея прорвало отопление радиатор'),
  ('HEAT-02', 'холодные батареи нет отопления не греют'),
  ('HEAT-03', 'холодно в квартире'),
  ('SEW-01', 'засор канализации не уходит вода унитаз засорился'),
  ('SEW-03', 'затопило подвал вода в подвале'),
  ('CHUTE-01', 'мусоропровод забит засор'),
  ('EL-01', 'нет света отключили электричество'),
  ('EL-04', 'искрит пахнет гарью проводка'),
  ('EL-05', 'темно в подъезде не горит лампочка свет'),
  ('LIFT-01', 'лифт не работает стоит сломался'),
  ('LIFT-02', 'застрял в лифте застряли'),
  ('GAS-01', 'пахнет газом запах газа утечка'),
  ('INT-01', 'домофон не открывается дверь'),
  ('YARD-02', 'снег не чистят сугробы двор'),
  ('YARD-03', 'гололёд скользко лёд'),
  ('ROOF-03', 'сосульки наледь'),
  ('ENT-01', 'грязно в подъезде не моют'),
  ('WASTE-01', 'мусор не вывозят контейнеры'),
  ('PEST-01', 'крысы тараканы мыши'),
  ('VENT-01', 'вентиляция нет тяги'),
  ('ROOF-02', 'водосток водосточная труба воронка'),
  ('ROOF-04', 'снег на крыше'),
  ('WALL-01', 'кирпич выпадает стена разрушается'),
  ('WALL-03', 'штукатурка отваливается сыплется потолок'),
  ('WALL-05', 'швы текут межпанельные стена мокрая дует'),
  ('WIN-01', 'стекло разбито окно в подъезде'),
  ('DOOR-01', 'дверь подъезда не закрывается сломана'),
  ('DOOR-02', 'доводчик дверь хлопает'),
  ('DOOR-03', 'подвал открыт замок'),
  ('CW-03', 'слабый напор вода еле идет'),
  ('CW-04', 'ржавая вода мутная грязная вода'),
  ('SEW-02', 'течёт канализация прорвало канализацию'),
  ('SEW-05', 'воняет запах канализации'),
  ('CHUTE-02', 'мусоропровод сломан клапан'),
  ('WASTE-02', 'крупногабаритный мусор кго мебель'),
  ('EL-03', 'выбивает автомат щиток'),
  ('EL-06', 'фонарь над подъездом не горит'),
  ('EL-07', 'плита конфорка духовка'),
  ('EL-08', 'плита не работает'),
  ('EL-09', 'мигает свет напряжение скачет'),
  ('LIFT-03', 'кнопки лифта двери лифта свет в лифте'),
  ('GAS-02', 'нет газа плита газовая'),
  ('ENT-02', 'перила сломаны'),
  ('ENT-03', 'почтовые ящики сломаны'),
  ('ENT-04', 'козырёк над подъездом'),
  ('YARD-01', 'мусор во дворе грязно'),
  ('YARD-04', 'детская площадка качели')
;
UPDATE work_types SET local_keywords = keywords
WHERE keywords <> COALESCE((SELECT k.keywords FROM release1_keywords k WHERE k.code = work_types.code), '');
DROP TABLE release1_keywords;
ALTER TABLE work_types DROP COLUMN supplier;

ALTER TABLE tickets ADD COLUMN localized_at INTEGER;
`
