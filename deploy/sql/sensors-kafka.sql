-- The same over a Kafka topic of JSON records (README, "Flink SQL"), on deploy/local-kafka.sh:
--   deploy/sql-client.sh -f deploy/sql/sensors-kafka.sql
-- The SQL Kafka connector ('connector' = 'kafka') comes with the Flinox jar. 'scan.bounded.mode'
-- stops at the offsets that are the latest when the job starts, so the INSERT finishes.
SET 'table.dml-sync' = 'true';
SET 'execution.checkpointing.interval' = '1 s';
-- rows handed between chained operators without a copy: the flinox function keeps none it is
-- handed, and it runs ~1.5x as fast (BENCHMARKS.md, B5)
SET 'pipeline.object-reuse' = 'true';

CREATE FUNCTION flinox AS 'org.flinox.sql.ModelFunction';

CREATE TABLE sensors (id INT, sensor STRING, temperature DOUBLE, humidity DOUBLE, pressure DOUBLE) WITH (
  'connector' = 'kafka', 'topic' = 'sensors', 'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'flinox-sql', 'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset', 'format' = 'json');

CREATE TABLE zscores (
  sensor STRING, id INT, temperature DOUBLE, humidity DOUBLE, pressure DOUBLE,
  temperature_z DOUBLE, humidity_z DOUBLE, pressure_z DOUBLE, status STRING
) WITH ('connector' = 'filesystem', 'path' = '/tmp/flinox-sql/zscores-kafka', 'format' = 'csv');

INSERT INTO zscores
SELECT * FROM flinox(
    input    => TABLE sensors PARTITION BY sensor,
    features => DESCRIPTOR(temperature, humidity, pressure),
    model    => '{"name":"sensors","module":{"type":"standardize"}}',
    uid      => 'sensors');
