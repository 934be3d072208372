"""Generate the illustrative demo city Xiangyang (襄阳), Hubei: ten facility layers, water and city.toml.

Usage::

    python scripts/make_demo_city.py [--seed 20261129] [--out data/xiangyang] [--quiet]
    python -m scripts.demo_city [--seed 20261129] [--out data/xiangyang] [--quiet]

The city lies on both banks of the Han River (汉江): Xiangcheng (襄城, south bank, with the walled
ancient city) and Fancheng (樊城, north bank), Xiangzhou (襄州, north-east) and Dongjin (东津新区, east of
the river bend). Scenic spots sit at approximately real positions (± a few hundred metres); everything
else — roads, toilets, signs, lamps, stops, billboards, zones, reports — is simulated.

The run is deterministic: the same seed gives byte-identical files (no timestamps, fixed iteration
order, coordinates rounded to 6 decimals). Every file is written atomically. All geometry is built in a
local metric frame (an equirectangular projection at 32.005°N, good to about 0.1 % over the city) and
converted to WGS84 lon/lat on output.

Layers, fields and allowed values come from facilities.schema (every property written is checked against
it); the hand-drawn names, units and positions come from xiangyang.toml. One module per layer: frame
(projection, data model, river and districts), geometry, model (the schema's view), places (the data),
attractions, main_roads, streets, roads, zones, docks, lamps, toilets (and cover), stops, signs,
billboards, reports, audit, output, cli.

Planted shortfalls
------------------
Put in on purpose so that every coverage rule in DOMAIN.md has something real to find. The exact
feature ids are found by an audit at the end of each run, asserted, and written to the README.

* scenic spot without a graded (A+, not planned/closed) toilet within 500 m: 鹿门寺 Lumen Temple (only
  an ungraded toilet nearby), 习家池 Xi Family Pond (only a *planned* AA toilet), 真武山 Zhenwu Mountain
  (only a *closed* AAA toilet);
* busy commercial street with a toilet gap > 500 m: 长虹路 inside the zone 长虹路商圈 (about 1.6 km);
* zone below the toilet density threshold: 东津新城居住区 (residential, one toilet on ~1.6 km²);
* toilets with no accessible stall and no family room, and toilets with female:male stalls below 3:2;
* dark stretches (several hundred metres without lamps) on 前进路 and 檀溪路 (arterial) and 春园路
  (secondary); a failed circuit (every lamp not working) on 长虹路 and on 人民路, whose working share
  therefore falls below 98 %;
* four intersections of named main roads with no road-name sign within 30 m, six where the only
  road-name sign has no English; damaged and missing signs of most types;
* docks: 夫人城码头 has no toilet within 200 m, 东津码头 no lamp within 30 m, 岘山码头 no bilingual sign
  within 100 m;
* scenic spots without a bus / sightseeing stop within 300 m: 鹿门寺 and 岘山;
* billboards whose permit expired before 2026-11-29;
* reports fixed more than 7 days after being reported, and reports open or assigned for over 30 days.
"""
