//! Type normalisation: sqlparser's `DataType` to the model's [`SqlType`], in the vocabulary of the
//! engine the DDL was written for.

use super::model::{SqlType, TypeFamily};
use crate::sql::Dialect;
use sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType, EnumMember, ExactNumberInfo, TimezoneInfo,
};

fn t(raw: &DataType, name: &str, family: TypeFamily) -> SqlType {
    SqlType {
        raw: raw.to_string(),
        name: name.to_string(),
        family,
        length: None,
        precision: None,
        scale: None,
        int_bytes: None,
        unsigned: false,
        with_time_zone: false,
        element: None,
        enum_values: Vec::new(),
        user_type: None,
    }
}

fn int(raw: &DataType, name: &str, bytes: u8, unsigned: bool) -> SqlType {
    let mut s = t(raw, name, TypeFamily::Integer);
    s.int_bytes = Some(bytes);
    s.unsigned = unsigned;
    s
}

fn chars(raw: &DataType, name: &str, len: &Option<CharacterLength>) -> SqlType {
    let mut s = t(raw, name, TypeFamily::Text);
    if let Some(CharacterLength::IntegerLength { length, .. }) = len {
        s.length = Some(*length);
    }
    s
}

fn exact(raw: &DataType, name: &str, info: &ExactNumberInfo, family: TypeFamily) -> SqlType {
    let mut s = t(raw, name, family);
    match info {
        ExactNumberInfo::None => {}
        ExactNumberInfo::Precision(p) => s.precision = Some(*p),
        ExactNumberInfo::PrecisionAndScale(p, sc) => {
            s.precision = Some(*p);
            s.scale = u64::try_from(*sc).ok();
        }
    }
    s
}

/// Normalise a declared type.
pub fn normalize(dt: &DataType, dialect: Dialect) -> SqlType {
    use DataType as D;
    let my = dialect == Dialect::Mysql;
    match dt {
        D::SmallInt(_) | D::Int2(_) => int(dt, "smallint", 2, false),
        D::SmallIntUnsigned(_) | D::Int2Unsigned(_) | D::USmallInt => int(dt, "smallint", 2, true),
        D::TinyInt(_) => {
            if my {
                int(dt, "tinyint", 1, false)
            } else {
                int(dt, "smallint", 2, false)
            }
        }
        D::TinyIntUnsigned(_) | D::UTinyInt => int(dt, "tinyint", 1, true),
        D::MediumInt(_) => int(dt, "mediumint", 3, false),
        D::MediumIntUnsigned(_) => int(dt, "mediumint", 3, true),
        D::Int(_) | D::Int4(_) | D::Integer(_) | D::Int32 | D::Signed | D::SignedInteger => {
            int(dt, "integer", 4, false)
        }
        D::IntUnsigned(_)
        | D::Int4Unsigned(_)
        | D::IntegerUnsigned(_)
        | D::UInt32
        | D::Unsigned
        | D::UnsignedInteger => int(dt, "integer", 4, true),
        D::BigInt(_) | D::Int8(_) | D::Int64 => int(dt, "bigint", 8, false),
        D::BigIntUnsigned(_) | D::Int8Unsigned(_) | D::UBigInt | D::UInt64 => {
            int(dt, "bigint", 8, true)
        }
        D::Int16 | D::UInt8 | D::UInt16 => int(dt, "smallint", 2, false),
        D::Int128 | D::Int256 | D::HugeInt | D::UHugeInt | D::UInt128 | D::UInt256 => {
            int(dt, "hugeint", 16, false)
        }
        D::Numeric(i) | D::Dec(i) | D::BigNumeric(i) => {
            exact(dt, "numeric", i, TypeFamily::Decimal)
        }
        D::Decimal(i) | D::BigDecimal(i) => exact(
            dt,
            if my { "decimal" } else { "numeric" },
            i,
            TypeFamily::Decimal,
        ),
        D::DecimalUnsigned(i) | D::DecUnsigned(i) => {
            let mut s = exact(dt, "decimal", i, TypeFamily::Decimal);
            s.unsigned = true;
            s
        }
        D::Float(i) => {
            // float(p): p <= 24 is single precision.
            let single = matches!(i, ExactNumberInfo::Precision(p) if *p <= 24)
                || (my && matches!(i, ExactNumberInfo::None));
            exact(
                dt,
                if single { "real" } else { "double precision" },
                i,
                TypeFamily::Float,
            )
        }
        D::FloatUnsigned(i) => exact(dt, "real", i, TypeFamily::Float),
        D::Real | D::Float4 | D::Float32 | D::RealUnsigned => t(dt, "real", TypeFamily::Float),
        D::Double(_)
        | D::DoubleUnsigned(_)
        | D::DoublePrecision
        | D::DoublePrecisionUnsigned
        | D::Float8
        | D::Float64 => t(dt, "double precision", TypeFamily::Float),
        D::Zerofill(inner) => normalize(inner, dialect),
        D::Bool | D::Boolean => t(dt, "boolean", TypeFamily::Boolean),
        D::Character(l) | D::Char(l) => chars(dt, "char", l),
        D::CharacterVarying(l) | D::CharVarying(l) | D::Varchar(l) | D::Nvarchar(l) => {
            chars(dt, "varchar", l)
        }
        D::String(len) => {
            let mut s = t(dt, "text", TypeFamily::Text);
            s.length = *len;
            s
        }
        D::FixedString(n) => {
            let mut s = t(dt, "char", TypeFamily::Text);
            s.length = Some(*n);
            s
        }
        D::Text => t(dt, "text", TypeFamily::Text),
        D::TinyText => t(dt, "tinytext", TypeFamily::Text),
        D::MediumText => t(dt, "mediumtext", TypeFamily::Text),
        D::LongText => t(dt, "longtext", TypeFamily::Text),
        D::CharacterLargeObject(_) | D::CharLargeObject(_) | D::Clob(_) => {
            t(dt, "text", TypeFamily::Text)
        }
        D::Uuid => t(dt, "uuid", TypeFamily::Uuid),
        D::Binary(n) | D::Blob(n) | D::Bytes(n) => {
            let mut s = t(
                dt,
                if matches!(dt, D::Binary(_)) {
                    "binary"
                } else if dialect == Dialect::Postgres {
                    "bytea"
                } else {
                    "blob"
                },
                TypeFamily::Binary,
            );
            s.length = *n;
            s
        }
        D::Varbinary(_) => t(dt, "varbinary", TypeFamily::Binary),
        D::TinyBlob => t(dt, "tinyblob", TypeFamily::Binary),
        D::MediumBlob => t(dt, "mediumblob", TypeFamily::Binary),
        D::LongBlob => t(dt, "longblob", TypeFamily::Binary),
        D::Bytea => t(dt, "bytea", TypeFamily::Binary),
        D::Bit(n) | D::BitVarying(n) | D::VarBit(n) => {
            let mut s = t(dt, "bit", TypeFamily::Binary);
            s.length = *n;
            s
        }
        D::Date | D::Date32 => t(dt, "date", TypeFamily::Date),
        D::Time(p, tz) => {
            let mut s = t(dt, "time", TypeFamily::Time);
            s.precision = *p;
            if matches!(tz, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) {
                s.name = "timetz".into();
                s.with_time_zone = true;
            }
            s
        }
        D::Datetime(p) => {
            let mut s = t(dt, "datetime", TypeFamily::Timestamp);
            s.precision = *p;
            s
        }
        D::Datetime64(..) | D::TimestampNtz(_) => t(dt, "timestamp", TypeFamily::Timestamp),
        D::Timestamp(p, tz) => {
            let mut s = t(dt, "timestamp", TypeFamily::Timestamp);
            s.precision = *p;
            if matches!(tz, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) {
                s.name = "timestamptz".into();
                s.with_time_zone = true;
            }
            // MySQL TIMESTAMP is stored in UTC and converted to the session time zone.
            if my {
                s.with_time_zone = true;
            }
            s
        }
        D::Interval { .. } => t(dt, "interval", TypeFamily::Interval),
        D::JSON => t(dt, "json", TypeFamily::Json),
        D::JSONB => t(dt, "jsonb", TypeFamily::Json),
        D::Regclass => t(dt, "regclass", TypeFamily::Other),
        D::TsVector => t(dt, "tsvector", TypeFamily::FullText),
        D::TsQuery => t(dt, "tsquery", TypeFamily::FullText),
        D::Collate(inner, _) => normalize(inner, dialect),
        D::Array(elem) => {
            let inner = match elem {
                ArrayElemTypeDef::AngleBracket(d)
                | ArrayElemTypeDef::SquareBracket(d, _)
                | ArrayElemTypeDef::Parenthesis(d)
                | ArrayElemTypeDef::ParenthesisNotNull(d)
                | ArrayElemTypeDef::Qualified(d, _) => Some(normalize(d, dialect)),
                ArrayElemTypeDef::None => None,
            };
            let mut s = t(
                dt,
                &format!(
                    "{}[]",
                    inner.as_ref().map(|i| i.name.as_str()).unwrap_or("unknown")
                ),
                TypeFamily::Array,
            );
            s.element = inner.map(Box::new);
            s
        }
        D::Enum(members, _) => {
            let mut s = t(dt, "enum", TypeFamily::Enum);
            s.enum_values = members
                .iter()
                .map(|m| match m {
                    EnumMember::Name(n) | EnumMember::NamedValue(n, _) => n.clone(),
                })
                .collect();
            s
        }
        D::Set(values) => {
            let mut s = t(dt, "set", TypeFamily::Text);
            s.enum_values = values.clone();
            s
        }
        D::GeometricType(_) => t(dt, "geometric", TypeFamily::Spatial),
        D::Custom(name, mods) => custom(dt, &name.to_string(), mods, dialect),
        _ => t(dt, &dt.to_string().to_ascii_lowercase(), TypeFamily::Other),
    }
}

/// Types sqlparser leaves as custom names.
fn custom(
    dt: &DataType,
    name: &str,
    mods: &[sqlparser::ast::TypeModifier],
    dialect: Dialect,
) -> SqlType {
    let bare = name.trim_matches('"').to_ascii_lowercase();
    let bare = bare
        .strip_prefix("pg_catalog.")
        .unwrap_or(&bare)
        .to_string();
    let first_num = || {
        mods.iter().find_map(|m| match m {
            sqlparser::ast::TypeModifier::Number(n, _) => n.parse::<u64>().ok(),
            _ => None,
        })
    };
    match bare.as_str() {
        "serial" | "serial4" => int(dt, "integer", 4, false),
        "bigserial" | "serial8" => int(dt, "bigint", 8, false),
        "smallserial" | "serial2" => int(dt, "smallint", 2, false),
        "int2" => int(dt, "smallint", 2, false),
        "int4" => int(dt, "integer", 4, false),
        "int8" => int(dt, "bigint", 8, false),
        "year" => int(dt, "year", 2, false),
        "timestamptz" => {
            let mut s = t(dt, "timestamptz", TypeFamily::Timestamp);
            s.with_time_zone = true;
            s
        }
        "timetz" => {
            let mut s = t(dt, "timetz", TypeFamily::Time);
            s.with_time_zone = true;
            s
        }
        "money" => t(dt, "money", TypeFamily::Decimal),
        "citext" | "name" | "ntext" | "nchar" => t(dt, &bare, TypeFamily::Text),
        "varchar2" | "nvarchar2" => {
            let mut s = t(dt, "varchar", TypeFamily::Text);
            s.length = first_num();
            s
        }
        "inet" | "cidr" | "macaddr" | "macaddr8" => t(dt, &bare, TypeFamily::Network),
        "geometry" | "geography" | "point" | "polygon" | "linestring" | "multipolygon"
        | "multipoint" | "multilinestring" | "geometrycollection" | "box" | "circle" | "line"
        | "lseg" | "path" => t(dt, &bare, TypeFamily::Spatial),
        "tsvector" | "tsquery" => t(dt, &bare, TypeFamily::FullText),
        "hstore" | "xml" => t(dt, &bare, TypeFamily::Json),
        "bytea" => t(dt, "bytea", TypeFamily::Binary),
        "numeric" | "decimal" => {
            let mut s = t(dt, "numeric", TypeFamily::Decimal);
            s.precision = first_num();
            s
        }
        _ if dialect == Dialect::Sqlite => sqlite_affinity(dt, &bare),
        _ => t(dt, &bare, TypeFamily::Other),
    }
}

/// SQLite's affinity rules (section 3.1 of its datatype page) for free-form type names.
fn sqlite_affinity(dt: &DataType, bare: &str) -> SqlType {
    let up = bare.to_ascii_uppercase();
    if up.contains("INT") {
        int(dt, "integer", 8, false)
    } else if up.contains("CHAR") || up.contains("CLOB") || up.contains("TEXT") {
        t(dt, "text", TypeFamily::Text)
    } else if up.contains("BLOB") || up.is_empty() {
        t(dt, "blob", TypeFamily::Binary)
    } else if up.contains("REAL") || up.contains("FLOA") || up.contains("DOUB") {
        t(dt, "real", TypeFamily::Float)
    } else {
        t(dt, "numeric", TypeFamily::Decimal)
    }
}

/// Whether a custom type name is PostgreSQL's serial shorthand; returns the sequence's int type.
pub fn serial_kind(dt: &DataType) -> Option<&'static str> {
    if let DataType::Custom(name, _) = dt {
        let n = name.to_string().to_ascii_lowercase();
        return match n.trim_matches('"') {
            "serial" | "serial4" => Some("integer"),
            "bigserial" | "serial8" => Some("bigint"),
            "smallserial" | "serial2" => Some("smallint"),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn ty(sql_type: &str, d: Dialect) -> SqlType {
        let sql = format!("CREATE TABLE t (c {sql_type})");
        let stmts = Parser::parse_sql(&PostgreSqlDialect {}, &sql).unwrap();
        match &stmts[0] {
            sqlparser::ast::Statement::CreateTable(ct) => normalize(&ct.columns[0].data_type, d),
            _ => unreachable!(),
        }
    }

    #[test]
    fn normalises_common_types() {
        assert_eq!(ty("int4", Dialect::Postgres).name, "integer");
        assert_eq!(ty("bigserial", Dialect::Postgres).name, "bigint");
        assert_eq!(
            ty("timestamp with time zone", Dialect::Postgres).name,
            "timestamptz"
        );
        assert!(ty("timestamptz", Dialect::Postgres).with_time_zone);
        let v = ty("varchar(255)", Dialect::Postgres);
        assert_eq!((v.name.as_str(), v.length), ("varchar", Some(255)));
        let n = ty("numeric(10,2)", Dialect::Postgres);
        assert_eq!((n.precision, n.scale), (Some(10), Some(2)));
        assert_eq!(ty("text[]", Dialect::Postgres).name, "text[]");
        assert_eq!(ty("jsonb", Dialect::Postgres).family, TypeFamily::Json);
        assert_eq!(ty("real", Dialect::Postgres).family, TypeFamily::Float);
    }
}
