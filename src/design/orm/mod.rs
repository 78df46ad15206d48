//! ORM models rendered from a catalog (designed or existing DDL): Prisma, Django, SQLAlchemy,
//! TypeORM and Sequelize. [`model`] reads the catalog once into an ORM-neutral form; each
//! renderer maps it to its ORM's vocabulary as lines of declarations, and the templates under
//! `templates/orm/` lay the file out. What an ORM cannot declare (CHECKs without a native form,
//! expression and full-text indexes, triggers, views) is listed in the file as staying in SQL.

pub mod model;
mod render;

use super::FileOut;
use crate::catalog::Catalog;
use crate::error::KdError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An ORM to render models for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrmTarget {
    Prisma,
    Django,
    Typeorm,
    Sequelize,
    Sqlalchemy,
}

impl OrmTarget {
    pub const ALL: [OrmTarget; 5] = [
        OrmTarget::Prisma,
        OrmTarget::Django,
        OrmTarget::Typeorm,
        OrmTarget::Sequelize,
        OrmTarget::Sqlalchemy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrmTarget::Prisma => "prisma",
            OrmTarget::Django => "django",
            OrmTarget::Typeorm => "typeorm",
            OrmTarget::Sequelize => "sequelize",
            OrmTarget::Sqlalchemy => "sqlalchemy",
        }
    }

    /// The file the models are written to, relative to the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            OrmTarget::Prisma => "orm/prisma/schema.prisma",
            OrmTarget::Django => "orm/django/models.py",
            OrmTarget::Typeorm => "orm/typeorm/entities.ts",
            OrmTarget::Sequelize => "orm/sequelize/models.ts",
            OrmTarget::Sqlalchemy => "orm/sqlalchemy/models.py",
        }
    }
}

impl std::str::FromStr for OrmTarget {
    type Err = KdError;
    fn from_str(s: &str) -> Result<Self, KdError> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_lowercase())).map_err(|_| {
            KdError::invalid(format!(
                "unknown ORM `{s}`; use prisma, django, typeorm, sequelize or sqlalchemy"
            ))
        })
    }
}

/// Render one ORM's models for a catalog.
pub fn render(cat: &Catalog, target: OrmTarget) -> Result<FileOut, KdError> {
    let schema = model::from_catalog(cat);
    if schema.models.is_empty() {
        return Err(KdError::invalid(
            "the schema has no tables to render as ORM models",
        ));
    }
    let view = match target {
        OrmTarget::Prisma => render::prisma(&schema),
        OrmTarget::Django => render::django(&schema),
        OrmTarget::Typeorm => render::typeorm(&schema),
        OrmTarget::Sequelize => render::sequelize(&schema),
        OrmTarget::Sqlalchemy => render::sqlalchemy(&schema),
    };
    let template = format!("orm/{}.txt", target.as_str());
    Ok(FileOut {
        name: target.file_name().to_string(),
        content: crate::render::render(&template, &view)?,
    })
}

/// Render models for each target (duplicates ignored).
pub fn render_all(cat: &Catalog, targets: &[OrmTarget]) -> Result<Vec<FileOut>, KdError> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for t in targets {
        if seen.contains(t) {
            continue;
        }
        seen.push(*t);
        out.push(render(cat, *t)?);
    }
    Ok(out)
}
