-- Per-sensor z-scores of CSV readings with Flinox in Flink SQL (README, "Flink SQL"):
--   deploy/sql-client.sh -f deploy/sql/sensors.sql
SET 'table.dml-sync' = 'true';                     -- wait until the INSERT has finished
SET 'execution.checkpointing.interval' = '1 s';    -- the file sink commits its files on checkpoints

CREATE FUNCTION flinox AS 'org.flinox.sql.ModelFunction';

CREATE TABLE sensors (id INT, sensor STRING, temperature DOUBLE, humidity DOUBLE, pressure DOUBLE) WITH (
  'connector' = 'filesystem', 'path' = '/tmp/flinox-sql/sensors', 'format' = 'csv',
  'csv.null-literal' = '');                        -- an empty field is NULL

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
