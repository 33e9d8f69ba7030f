-- Per-sensor z-scores of CSV readings with Flinox in Flink SQL (README, "Flink SQL"):
--   deploy/sql-client.sh -f deploy/sql/sensors.sql
-- table.dml-sync: wait until the INSERT has finished; the file sink commits its files on
-- checkpoints; 'csv.null-literal' = '' reads an empty field as NULL.
SET 'table.dml-sync' = 'true';
SET 'execution.checkpointing.interval' = '1 s';
-- rows handed between chained operators without a copy: the flinox function keeps none it is
-- handed, and it runs ~1.5x as fast (BENCHMARKS.md, B5)
SET 'pipeline.object-reuse' = 'true';

CREATE FUNCTION flinox AS 'org.flinox.sql.ModelFunction';

CREATE TABLE sensors (id INT, sensor STRING, temperature DOUBLE, humidity DOUBLE, pressure DOUBLE) WITH (
  'connector' = 'filesystem', 'path' = '/tmp/flinox-sql/sensors', 'format' = 'csv',
  'csv.null-literal' = '');

CREATE TABLE zscores (
  sensor STRING, id INT, temperature DOUBLE, humidity DOUBLE, pressure DOUBLE,
  temperature_z DOUBLE, humidity_z DOUBLE, pressure_z DOUBLE, status STRING
) WITH ('connector' = 'filesystem', 'path' = '/tmp/flinox-sql/zscores', 'format' = 'csv');

INSERT INTO zscores
SELECT * FROM flinox(
    input    => TABLE sensors PARTITION BY sensor,
    features => DESCRIPTOR(temperature, humidity, pressure),
    model    => '{"name":"sensors","module":{"type":"standardize"}}',
    uid      => 'sensors');
