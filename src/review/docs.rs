//! The documentation of every review rule (SCH, IDX004–005, SEC, NAM): what it checks, why it
//! matters, and a bad and a good example. The examples ARE the test fixtures
//! (`tests/fixtures/review/<ID>.bad.sql` / `.good.sql`): `tests/review_rules.rs` asserts that the
//! bad one fires the rule and the good one does not, so the docs cannot drift from the code.

use crate::findings::Severity;
use crate::rules::RuleDoc;

macro_rules! rule {
    ($id:literal, $slug:literal, $fam:literal, $sev:ident, $summary:literal, $why:literal, [$($d:literal),*], [$($c:literal),*]) => {
        RuleDoc {
            id: $id,
            slug: $slug,
            family: $fam,
            severity: Severity::$sev,
            summary: $summary,
            why: $why,
            bad: include_str!(concat!("../../tests/fixtures/review/", $id, ".bad.sql")),
            good: include_str!(concat!("../../tests/fixtures/review/", $id, ".good.sql")),
            dialects: &[$($d),*],
            crosswalk: &[$($c),*],
        }
    };
}

pub static DOCS: &[RuleDoc] = &[
    rule!(
        "SCH001",
        "table-without-primary-key",
        "SCH",
        Warning,
        "A table has no primary key.",
        "Without a key, duplicate rows cannot be prevented, rows cannot be addressed for UPDATE/DELETE by ORMs and replication (MySQL row-based replication and PostgreSQL logical replication need a replica identity), and other tables cannot reference it. Add a surrogate identity key or promote a NOT NULL unique key.",
        [],
        [
            "sqlcheck:1003",
            "SqlServer.Rules:SRD0002",
            "tbls:requirePrimaryKey"
        ]
    ),
    rule!(
        "SCH002",
        "fk-column-without-index",
        "SCH",
        Warning,
        "A foreign key's columns are not the leading columns of any index.",
        "Every DELETE or key UPDATE on the referenced table scans the referencing table to check the constraint, and joins from parent to children cannot use an index. PostgreSQL and SQLite never create this index for you (MySQL/InnoDB does). An index whose leading columns are the FK columns (in any order) covers it.",
        ["postgres", "sqlite"],
        [
            "tbls:requireForeignKeyIndex",
            "SqlServer.Rules:SRD0004",
            "pganalyze"
        ]
    ),
    rule!(
        "SCH003",
        "implied-foreign-key-missing",
        "SCH",
        Warning,
        "A column named `<table>_id` matches a table's key but has no foreign key.",
        "The name says it references another table, but nothing enforces it: orphaned ids accumulate, and tools (ORMs, ERDs, query planners' join estimates) do not see the relationship. Declare the foreign key (and index it).",
        [],
        ["SchemaSpy:implied-relationships", "sqlcheck:1005"]
    ),
    rule!(
        "SCH004",
        "fk-type-mismatch",
        "SCH",
        Error,
        "A foreign key column's type differs from the referenced column's type.",
        "Mismatched types force casts on every join (an int4 FK to an int8 key can still overflow at 2^31 even though the parent can grow), can make indexes unusable for the join, and MySQL rejects some combinations outright. The referencing column should have exactly the referenced column's type.",
        [],
        ["SqlServer.Rules:SRD0047", "Atlas:MF101-ish"]
    ),
    rule!(
        "SCH005",
        "multi-valued-attribute",
        "SCH",
        Warning,
        "A column stores a list of ids (`*_ids` as text, JSON or array): a multi-valued attribute (1NF).",
        "A list in one column cannot be referenced by a foreign key, is hard to index and join, and every change rewrites the whole value (Jaywalking, in SQL Antipatterns). Use a junction table with one row per (owner, referenced id).",
        [],
        ["sqlcheck:1001 multi-valued-attribute"]
    ),
    rule!(
        "SCH006",
        "entity-attribute-value",
        "SCH",
        Warning,
        "A table stores attribute/value pairs for another entity (entity–attribute–value).",
        "EAV gives up types, NOT NULL, CHECK and foreign keys on the values, and every read of one entity becomes a pivot over many rows. Model the attributes as columns, a subtype table per kind, or a typed jsonb document when they are truly open-ended.",
        [],
        ["sqlcheck:1006 entity-attribute-value"]
    ),
    rule!(
        "SCH007",
        "repeating-column-group",
        "SCH",
        Warning,
        "Columns repeat one attribute with a number (phone1, phone2, phone3): a repeating group (1NF).",
        "A fixed number of slots caps the data (a fourth phone needs a migration), queries must test every column, and uniqueness across the slots cannot be declared. Move the values to a child table with one row per value.",
        [],
        ["sqlcheck:1007 metadata-tribbles", "SchemaSpy"]
    ),
    rule!(
        "SCH008",
        "float-for-money",
        "SCH",
        Error,
        "A money-like column (price, amount, total, cost, balance ...) has a floating-point type.",
        "Binary floating point cannot represent most decimal fractions exactly: sums drift by cents and equality comparisons fail. Use numeric/decimal with an explicit scale (or integer minor units).",
        [],
        [
            "sqlcheck:2001 imprecise-data-type",
            "SqlServer.Rules:SRD0046"
        ]
    ),
    rule!(
        "SCH009",
        "decimal-without-precision",
        "SCH",
        Warning,
        "A MySQL DECIMAL/NUMERIC column has no precision, which means DECIMAL(10,0).",
        "MySQL's default scale is 0: every fraction is silently rounded away on insert (12.99 becomes 13). Always give precision and scale.",
        ["mysql"],
        ["SqlServer.Rules:SRD0027"]
    ),
    rule!(
        "SCH010",
        "int-id-can-overflow",
        "SCH",
        Warning,
        "An auto-generated primary key is a 32-bit (or smaller) integer.",
        "A 32-bit key runs out at 2,147,483,647 (about 2^31) inserts, including rolled-back ones and sequence gaps; widening it later rewrites the table and every referencing table under an exclusive lock. Use bigint from the start.",
        [],
        [
            "squawk:prefer-bigint-over-int",
            "squawk:prefer-bigint-over-smallint"
        ]
    ),
    rule!(
        "SCH011",
        "prefer-identity-over-serial",
        "SCH",
        Info,
        "A PostgreSQL column uses serial/bigserial instead of an identity column (PostgreSQL 10+).",
        "serial is a default plus a separately owned sequence: permissions, dumps and copying the table (CREATE TABLE LIKE) treat them apart, and nothing stops inserts that bypass the default. GENERATED ... AS IDENTITY is the SQL-standard form and keeps the sequence tied to the column.",
        ["postgres"],
        ["squawk:prefer-identity"]
    ),
    rule!(
        "SCH012",
        "prefer-timestamptz",
        "SCH",
        Warning,
        "A PostgreSQL column is `timestamp` (without time zone).",
        "timestamp without time zone stores wall-clock time with no zone: values written by sessions in different time zones, or across DST changes, cannot be compared or converted correctly. timestamptz stores an instant (UTC) and converts on output.",
        ["postgres"],
        [
            "squawk:prefer-timestamptz",
            "PostgreSQL wiki: Don't Do This"
        ]
    ),
    rule!(
        "SCH013",
        "prefer-text-over-varchar",
        "SCH",
        Info,
        "A PostgreSQL column is varchar(n).",
        "On PostgreSQL varchar(n) stores exactly like text; the length is only a check, and changing it later means an ALTER of the type (a rewrite before PostgreSQL 9.2, a lock always). Use text, with a CHECK (char_length(col) <= n) when the limit is a real business rule.",
        ["postgres"],
        ["squawk:prefer-text-field", "PostgreSQL wiki: Don't Do This"]
    ),
    rule!(
        "SCH014",
        "ban-char-n",
        "SCH",
        Warning,
        "A PostgreSQL column is char(n) (blank-padded).",
        "char(n) pads values with spaces, drops trailing spaces in comparisons and casts, and is no faster than text. Use text (with a CHECK on the length when it is fixed).",
        ["postgres"],
        ["squawk:ban-char-field", "PostgreSQL wiki: Don't Do This"]
    ),
    rule!(
        "SCH015",
        "prefer-jsonb-over-json",
        "SCH",
        Warning,
        "A PostgreSQL column is json instead of jsonb (9.4+).",
        "json keeps the raw text: every access re-parses it, it has no equality operator (so no DISTINCT, GROUP BY or unique index) and no GIN indexing. jsonb is parsed once and indexable.",
        ["postgres"],
        ["strong_migrations:json", "PostgreSQL docs 8.14"]
    ),
    rule!(
        "SCH016",
        "nullable-unique-column",
        "SCH",
        Info,
        "A column of a UNIQUE constraint or unique index is nullable.",
        "NULLs are distinct from each other in a unique constraint, so any number of rows can hold NULL there: the 'unique' email is not unique for rows without one. Make the column NOT NULL, or on PostgreSQL 15+ declare UNIQUE NULLS NOT DISTINCT if one NULL is meant.",
        [],
        ["SchemaSpy:nullable-unique"]
    ),
    rule!(
        "SCH017",
        "default-string-null",
        "SCH",
        Error,
        "A column's default is the string 'NULL', not the NULL value.",
        "DEFAULT 'NULL' stores the four letters N-U-L-L: IS NULL checks miss them and the application shows 'NULL' to users. Write DEFAULT NULL (or no default).",
        [],
        ["SchemaSpy:default-null-string"]
    ),
    rule!(
        "SCH019",
        "too-many-columns",
        "SCH",
        Info,
        "A table has more than 50 columns.",
        "Very wide tables usually mix several entities or repeating groups, make every row large (fewer rows per page, more I/O for every query) and every UPDATE rewrites the whole row on PostgreSQL. Split rarely used or optional groups into 1:1 side tables or child tables.",
        [],
        ["tbls:maxColumnCount"]
    ),
    rule!(
        "SCH020",
        "orphan-table",
        "SCH",
        Info,
        "A table has no foreign key to or from any other table.",
        "An isolated table in a relational schema is often a missing relationship (an id column without a foreign key) or a leftover. If it is deliberately standalone (settings, a log), ignore this; otherwise declare the relationship.",
        [],
        ["tbls:orphan", "SchemaSpy:orphan-tables"]
    ),
    rule!(
        "SCH021",
        "identifier-too-long",
        "SCH",
        Error,
        "An identifier is longer than the engine allows (PostgreSQL 63 bytes, MySQL 64 characters).",
        "PostgreSQL silently truncates longer names, so two long names can collide and migrations that refer to the full name fail; MySQL rejects them. Shorten the name.",
        [],
        ["squawk:identifier-too-long"]
    ),
    rule!(
        "SCH022",
        "reserved-word-identifier",
        "SCH",
        Warning,
        "A table or column is named with a reserved word of the engine (user, order, group ...).",
        "A reserved word can only be used quoted: every query, ORM and hand-written script must remember the quotes, and a forgotten one is a syntax error (or, for `user` in PostgreSQL, silently the current user). Rename it.",
        [],
        ["sqlfluff:RF04"]
    ),
    rule!(
        "SCH025",
        "enum-values-in-definition",
        "SCH",
        Info,
        "A column's allowed values are fixed in the type (PostgreSQL enum type, MySQL ENUM) or in a long CHECK IN list.",
        "Enum values cannot be removed or renamed without rewriting (PostgreSQL cannot drop an enum value; MySQL ENUM changes rebuild the table) and the list is invisible to reporting tools. For a short, stable list a CHECK constraint is easier to change; for data-like lists (more than ten values, or values with attributes) use a lookup table with a foreign key.",
        [],
        ["sqlcheck:2002 values-in-definition"]
    ),
    rule!(
        "SCH027",
        "duplicate-foreign-key",
        "SCH",
        Warning,
        "Two foreign keys of a table have the same columns and target.",
        "Each constraint is checked on every write and every delete of the parent: a duplicate doubles the cost and confuses tools that draw or diff the schema. Drop one.",
        [],
        ["tbls:duplicateRelations"]
    ),
    rule!(
        "SCH031",
        "cyclic-foreign-keys",
        "SCH",
        Warning,
        "Foreign keys form a cycle between tables (A → B → A) with no nullable or deferrable link.",
        "Rows in a cycle cannot be inserted or deleted in any order without a nullable column or deferred constraints, and dump/restore and test fixtures must break the cycle by hand. Make one side nullable and DEFERRABLE, or model the relationship with a separate table. (A table referencing itself is a tree, not reported.)",
        [],
        ["new"]
    ),
    rule!(
        "SCH033",
        "cascade-delete-chain",
        "SCH",
        Info,
        "Deleting one row cascades through two or more levels of ON DELETE CASCADE.",
        "A chain of cascades turns one DELETE into an unbounded number of deletes across tables, all in one transaction with row locks on every table, and an accidental delete of a top-level row wipes whole subtrees. Prefer RESTRICT at the top and soft deletes or explicit batch deletes for large subtrees.",
        [],
        ["new"]
    ),
    rule!(
        "SCH034",
        "mysql-non-innodb-engine",
        "SCH",
        Warning,
        "A MySQL table uses a storage engine other than InnoDB (MyISAM, MEMORY ...).",
        "MyISAM and MEMORY have no transactions, no foreign keys and no crash recovery, and lock whole tables on writes; MEMORY loses its rows on restart. Use InnoDB.",
        ["mysql"],
        ["MySQL manual: InnoDB introduction"]
    ),
    rule!(
        "SCH035",
        "mysql-utf8mb3-charset",
        "SCH",
        Warning,
        "A MySQL table or column uses utf8 / utf8mb3 instead of utf8mb4.",
        "MySQL's utf8 is utf8mb3: it cannot store 4-byte characters (emoji, many CJK characters), so inserts fail or truncate; it is deprecated. Use utf8mb4.",
        ["mysql"],
        ["MySQL manual: utf8mb3 deprecation"]
    ),
    rule!(
        "SCH037",
        "money-type",
        "SCH",
        Warning,
        "A PostgreSQL column uses the `money` type.",
        "money formats and parses according to the server's lc_monetary setting, so dumps restore wrongly on a server with another locale; it has a fixed two-digit scale and no currency. Use numeric(p,s) and a currency column.",
        ["postgres"],
        ["PostgreSQL wiki: Don't Do This"]
    ),
    rule!(
        "SCH041",
        "boolean-as-number-or-text",
        "SCH",
        Info,
        "A flag column (is_*, has_*, can_*) is stored as a number or text on PostgreSQL.",
        "PostgreSQL has a real boolean: a smallint or char flag accepts 2, -1 or 'x', needs a CHECK to stay a flag, and every query has to know the convention. Use boolean.",
        ["postgres"],
        ["new"]
    ),
    rule!(
        "SCH042",
        "uuid-as-text",
        "SCH",
        Warning,
        "A UUID column (named *uuid / *guid) is stored as text or char(36) on PostgreSQL.",
        "As text a UUID takes 37 bytes instead of 16, compares byte by byte (slower, case-sensitive: two spellings of one UUID are different values) and accepts anything. Use the uuid type.",
        ["postgres"],
        ["new"]
    ),
    rule!(
        "SCH050",
        "mysql-timestamp-2038",
        "SCH",
        Info,
        "A MySQL TIMESTAMP column ends in 2038.",
        "MySQL TIMESTAMP is a 32-bit epoch: values after 2038-01-19 03:14:07 UTC cannot be stored (expiry dates and long-lived schedules hit it first). Use DATETIME(6) with values in UTC, or MySQL 8.0.28+ / MariaDB 11.5+ which extend the range on 64-bit platforms.",
        ["mysql"],
        ["MySQL manual: The DATE, DATETIME, and TIMESTAMP Types"]
    ),
    rule!(
        "SCH053",
        "timetz-type",
        "SCH",
        Warning,
        "A PostgreSQL column uses `time with time zone` (timetz).",
        "A time of day with a fixed UTC offset cannot follow daylight saving time; the PostgreSQL manual itself discourages it. Store a time and a time-zone name, or a timestamptz.",
        ["postgres"],
        ["PostgreSQL wiki: Don't Do This", "PostgreSQL docs 8.5.3"]
    ),
    rule!(
        "IDX004",
        "too-many-indexes",
        "IDX",
        Info,
        "A table has more than 8 indexes.",
        "Every index is written on every INSERT, on UPDATEs of its columns (and on PostgreSQL it can prevent HOT updates), takes space and cache, and slows vacuum. Check which ones the workload uses (KD-db-index) and drop or merge the rest.",
        [],
        ["sqlcheck:2004", "SqlServer.Rules:SRD0045", "pganalyze"]
    ),
    rule!(
        "IDX005",
        "wide-non-unique-index",
        "IDX",
        Info,
        "A non-unique index has more than 3 key columns.",
        "Wide keys make the index large and only help queries that filter on its leading columns; trailing columns used only for output belong in INCLUDE (PostgreSQL 11+) or are not needed. Keep the equality/range columns as keys.",
        [],
        ["strong_migrations:index-columns"]
    ),
    rule!(
        "SEC001",
        "plaintext-password-column",
        "SEC",
        Warning,
        "A column named password/passwd/pwd/secret holds text and its name does not say it is hashed.",
        "Passwords must be stored as a slow salted hash (argon2, bcrypt, scrypt); a column named `password` suggests the plain text is there, and a database dump or a SELECT * then leaks every credential. Store a hash and name the column for it (password_hash).",
        [],
        ["sqlcheck:4001 storing-password", "RULES:SCH023"]
    ),
    rule!(
        "SEC002",
        "hard-coded-credential",
        "SEC",
        Warning,
        "A role or user is created with a literal password in the SQL.",
        "A password in a migration or schema file ends up in version control, CI logs and backups. Create the role without a password (or with a placeholder set from a secret at deploy time) and set it with \\password or from a secret manager.",
        [],
        ["RULES:SEC002"]
    ),
    rule!(
        "SEC004",
        "grant-to-public",
        "SEC",
        Warning,
        "Privileges are granted to PUBLIC.",
        "PUBLIC is every role, including ones created later for other applications or people; a grant to PUBLIC is rarely intended and easy to miss. Grant to a named role and give that role to the users who need it.",
        [],
        ["RULES:SEC004", "Atlas"]
    ),
    rule!(
        "SEC005",
        "security-definer-without-search-path",
        "SEC",
        Error,
        "A PostgreSQL SECURITY DEFINER function does not pin search_path.",
        "A SECURITY DEFINER function runs with its owner's rights; without SET search_path any caller who can create objects in a schema on the path can shadow a table or function it uses and run code as the owner (CVE-2018-1058 class). Add SET search_path = pg_catalog, pg_temp (and schema-qualify names).",
        ["postgres"],
        [
            "PostgreSQL docs: Writing SECURITY DEFINER Functions Safely",
            "RULES:SEC005"
        ]
    ),
    rule!(
        "SEC006",
        "rls-enabled-without-policy",
        "SEC",
        Warning,
        "Row-level security is enabled on a table that has no policy.",
        "With RLS on and no policy, every role but the owner (and superusers) sees and changes no rows: the application breaks, or someone disables RLS to fix it. Create the policies in the same migration.",
        ["postgres"],
        ["RULES:SEC006"]
    ),
    rule!(
        "SEC007",
        "grant-all-privileges",
        "SEC",
        Info,
        "GRANT ALL PRIVILEGES on an object.",
        "ALL includes TRUNCATE, REFERENCES and TRIGGER (PostgreSQL) or DROP, ALTER and GRANT-like rights (MySQL) that applications never need. Grant only the privileges used (least privilege).",
        [],
        ["RULES:SEC004"]
    ),
    rule!(
        "SEC008",
        "sensitive-data-column",
        "SEC",
        Warning,
        "A column name says it holds card numbers, CVVs or national ID numbers.",
        "Card data puts the whole database in PCI DSS scope (and storing a CVV is forbidden); national ID numbers are regulated personal data. Store a token from the payment provider or an encrypted value, and keep only the last four digits in clear.",
        [],
        ["new"]
    ),
    rule!(
        "NAM001",
        "mixed-table-naming-style",
        "NAM",
        Info,
        "Table names mix naming styles (snake_case, camelCase, PascalCase).",
        "Mixed styles mean mixed quoting (on PostgreSQL, mixed-case names must be quoted forever) and guessing names in every query. Pick one style, snake_case being the one every engine handles without quotes.",
        [],
        ["sqlfluff:CP02"]
    ),
    rule!(
        "NAM002",
        "plural-singular-table-mix",
        "NAM",
        Info,
        "Some table names are plural and others singular.",
        "Inconsistent names make queries and ORM mappings guesswork (`invoice` or `invoices`?). Pick one convention for all tables.",
        [],
        ["new"]
    ),
    rule!(
        "NAM003",
        "inconsistent-id-column",
        "NAM",
        Info,
        "Primary key columns are named `id` in some tables and `<table>_id` in others.",
        "A consistent key name lets people and tools join without looking up each table. Pick `id` (with `<table>_id` for the FK columns) or `<table>_id` everywhere.",
        [],
        ["new"]
    ),
    rule!(
        "NAM004",
        "fk-column-naming",
        "NAM",
        Info,
        "A single-column foreign key's column does not end with the referenced column's name (e.g. `author` → users.id).",
        "`author_id` says at a glance that the column holds an id of another table; `author` reads like a name and invites `author.name`-style mistakes in ORMs. Name FK columns `<role>_<referenced column>`.",
        [],
        ["new"]
    ),
    rule!(
        "NAM005",
        "identifier-needs-quoting",
        "NAM",
        Warning,
        "An identifier contains upper-case letters, spaces or other characters that force quoting (PostgreSQL).",
        "PostgreSQL folds unquoted names to lower case, so \"OrderLines\" must be written with quotes in every query, by every tool, forever; an unquoted OrderLines is a different (missing) table. Use lower-case snake_case names.",
        ["postgres"],
        ["sqlfluff:RF06"]
    ),
    rule!(
        "NAM006",
        "mixed-column-naming-style",
        "NAM",
        Info,
        "Columns of one table mix naming styles (snake_case and camelCase).",
        "Mixed column styles within a table mean guessing (and, on PostgreSQL, quoting) column names in every query. Pick one style.",
        [],
        ["sqlfluff:CP02"]
    ),
];

/// The doc of one review rule by ID.
pub fn doc(id: &str) -> &'static RuleDoc {
    DOCS.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("review rule {id} has no RuleDoc"))
}
