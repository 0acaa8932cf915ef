-- Runs once, when the postgres volume is first initialised (/docker-entrypoint-initdb.d).
-- One database per service (and the gateway's): each service owns its data and never reads another's tables.
-- The databases belong to POSTGRES_USER, which runs this script.
CREATE DATABASE huiwu_registration;
CREATE DATABASE huiwu_venue;
CREATE DATABASE huiwu_documents;
CREATE DATABASE huiwu_supervision;
CREATE DATABASE huiwu_gateway;  -- its tokens and audit
