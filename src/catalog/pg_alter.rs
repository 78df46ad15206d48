//! PostgreSQL `ALTER DOMAIN` and `ALTER TYPE ... {ADD|DROP|ALTER} ATTRIBUTE`, which sqlparser
//! does not parse. The fallback recogniser lets these statements through by kind; here they are
//! read with sqlparser's own building blocks (names, expressions, data types, table constraints)
//! so the catalog can replay them exactly.

use sqlparser::ast::{DataType, Expr, Ident, ObjectName, TableConstraint};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// One `ALTER DOMAIN` action.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainOp {
    AddCheck {
        name: Option<Ident>,
        expr: Expr,
        not_valid: bool,
    },
    /// `ADD CONSTRAINT name NOT NULL` / `ADD NOT NULL` (PostgreSQL 17+).
    AddNotNull,
    DropConstraint {
        name: Ident,
    },
    SetDefault(Expr),
    DropDefault,
    SetNotNull,
    DropNotNull,
    Validate(Ident),
    RenameConstraint {
        from: Ident,
        to: Ident,
    },
    Rename(Ident),
    SetSchema(Ident),
    /// OWNER TO: nothing the model keeps.
    Other,
}

/// One action of `ALTER TYPE name ...` on a composite type.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeOp {
    Add { name: Ident, data_type: DataType },
    Drop { name: Ident, if_exists: bool },
    Alter { name: Ident, data_type: DataType },
    Rename { from: Ident, to: Ident },
}

fn is_word(p: &Parser, w: &str) -> bool {
    matches!(&p.peek_token().token, Token::Word(x) if x.value.eq_ignore_ascii_case(w) && x.quote_style.is_none())
}

fn word(p: &mut Parser, w: &str) -> bool {
    if is_word(p, w) {
        p.next_token();
        true
    } else {
        false
    }
}

fn expect_word(p: &mut Parser, w: &str) -> Result<(), ParserError> {
    if word(p, w) {
        Ok(())
    } else {
        Err(ParserError::ParserError(format!(
            "expected {w}, found {}",
            p.peek_token().token
        )))
    }
}

fn end(p: &mut Parser) -> Result<(), ParserError> {
    while p.consume_token(&Token::SemiColon) {}
    match p.peek_token().token {
        Token::EOF => Ok(()),
        t => Err(ParserError::ParserError(format!(
            "unexpected {t} after the action"
        ))),
    }
}

/// `ALTER DOMAIN name action`.
pub fn parse_alter_domain(text: &str) -> Result<(ObjectName, DomainOp), String> {
    let d = PostgreSqlDialect {};
    let run = || -> Result<(ObjectName, DomainOp), ParserError> {
        let mut p = Parser::new(&d).try_with_sql(text)?;
        p.expect_keyword_is(Keyword::ALTER)?;
        p.expect_keyword_is(Keyword::DOMAIN)?;
        let name = p.parse_object_name(false)?;
        let op = if p.parse_keyword(Keyword::ADD) {
            let not_null = p.parse_keywords(&[Keyword::NOT, Keyword::NULL])
                || (p.parse_keyword(Keyword::CONSTRAINT)
                    && p.parse_identifier().is_ok()
                    && p.parse_keywords(&[Keyword::NOT, Keyword::NULL]));
            if not_null {
                DomainOp::AddNotNull
            } else {
                // Re-read from the start of the constraint.
                let mut q = Parser::new(&d).try_with_sql(text)?;
                q.expect_keyword_is(Keyword::ALTER)?;
                q.expect_keyword_is(Keyword::DOMAIN)?;
                let _ = q.parse_object_name(false)?;
                q.expect_keyword_is(Keyword::ADD)?;
                let c = q.parse_optional_table_constraint()?;
                let not_valid = q.parse_keywords(&[Keyword::NOT, Keyword::VALID]);
                end(&mut q)?;
                return match c {
                    Some(TableConstraint::Check(cc)) => Ok((
                        name,
                        DomainOp::AddCheck {
                            name: cc.name.clone(),
                            expr: (*cc.expr).clone(),
                            not_valid,
                        },
                    )),
                    _ => Err(ParserError::ParserError(
                        "a domain takes only CHECK and NOT NULL constraints".into(),
                    )),
                };
            }
        } else if p.parse_keywords(&[Keyword::DROP, Keyword::CONSTRAINT]) {
            let _ = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
            let n = p.parse_identifier()?;
            let _ = p.parse_one_of_keywords(&[Keyword::CASCADE, Keyword::RESTRICT]);
            DomainOp::DropConstraint { name: n }
        } else if p.parse_keywords(&[Keyword::SET, Keyword::DEFAULT]) {
            DomainOp::SetDefault(p.parse_expr()?)
        } else if p.parse_keywords(&[Keyword::DROP, Keyword::DEFAULT]) {
            DomainOp::DropDefault
        } else if p.parse_keywords(&[Keyword::SET, Keyword::NOT, Keyword::NULL]) {
            DomainOp::SetNotNull
        } else if p.parse_keywords(&[Keyword::DROP, Keyword::NOT, Keyword::NULL]) {
            DomainOp::DropNotNull
        } else if p.parse_keywords(&[Keyword::VALIDATE, Keyword::CONSTRAINT]) {
            DomainOp::Validate(p.parse_identifier()?)
        } else if p.parse_keywords(&[Keyword::RENAME, Keyword::CONSTRAINT]) {
            let from = p.parse_identifier()?;
            p.expect_keyword_is(Keyword::TO)?;
            DomainOp::RenameConstraint {
                from,
                to: p.parse_identifier()?,
            }
        } else if p.parse_keywords(&[Keyword::RENAME, Keyword::TO]) {
            DomainOp::Rename(p.parse_identifier()?)
        } else if p.parse_keywords(&[Keyword::SET, Keyword::SCHEMA]) {
            DomainOp::SetSchema(p.parse_identifier()?)
        } else if p.parse_keywords(&[Keyword::OWNER, Keyword::TO]) {
            let _ = p.parse_identifier()?;
            return Ok((name, DomainOp::Other));
        } else {
            return Err(ParserError::ParserError(format!(
                "unknown ALTER DOMAIN action at {}",
                p.peek_token().token
            )));
        };
        end(&mut p)?;
        Ok((name, op))
    };
    run().map_err(|e| e.to_string())
}

/// `ALTER TYPE name action [, action ...]` where the actions are attribute changes. `Ok(None)`
/// when the statement is another ALTER TYPE (owner, schema ...).
pub fn parse_alter_type_attributes(
    text: &str,
) -> Result<Option<(ObjectName, Vec<AttributeOp>)>, String> {
    let d = PostgreSqlDialect {};
    let run = || -> Result<Option<(ObjectName, Vec<AttributeOp>)>, ParserError> {
        let mut p = Parser::new(&d).try_with_sql(text)?;
        p.expect_keyword_is(Keyword::ALTER)?;
        p.expect_keyword_is(Keyword::TYPE)?;
        let name = p.parse_object_name(false)?;
        let attribute_action = (is_word(&p, "ADD") || is_word(&p, "DROP") || is_word(&p, "ALTER"))
            || (is_word(&p, "RENAME") && {
                let mut q = Parser::new(&d).try_with_sql(text)?;
                q.expect_keyword_is(Keyword::ALTER)?;
                q.expect_keyword_is(Keyword::TYPE)?;
                let _ = q.parse_object_name(false)?;
                q.next_token();
                is_word(&q, "ATTRIBUTE")
            });
        if !attribute_action {
            return Ok(None);
        }
        let mut ops = Vec::new();
        loop {
            if word(&mut p, "ADD") {
                expect_word(&mut p, "ATTRIBUTE")?;
                let n = p.parse_identifier()?;
                let dt = p.parse_data_type()?;
                if p.parse_keyword(Keyword::COLLATE) {
                    let _ = p.parse_identifier()?;
                }
                ops.push(AttributeOp::Add {
                    name: n,
                    data_type: dt,
                });
            } else if word(&mut p, "DROP") {
                expect_word(&mut p, "ATTRIBUTE")?;
                let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
                let n = p.parse_identifier()?;
                ops.push(AttributeOp::Drop { name: n, if_exists });
            } else if word(&mut p, "ALTER") {
                expect_word(&mut p, "ATTRIBUTE")?;
                let n = p.parse_identifier()?;
                if p.parse_keyword(Keyword::SET) {
                    p.expect_keyword_is(Keyword::DATA)?;
                }
                p.expect_keyword_is(Keyword::TYPE)?;
                let dt = p.parse_data_type()?;
                if p.parse_keyword(Keyword::COLLATE) {
                    let _ = p.parse_identifier()?;
                }
                if p.parse_keyword(Keyword::USING) {
                    let _ = p.parse_expr()?;
                }
                ops.push(AttributeOp::Alter {
                    name: n,
                    data_type: dt,
                });
            } else if word(&mut p, "RENAME") {
                expect_word(&mut p, "ATTRIBUTE")?;
                let from = p.parse_identifier()?;
                p.expect_keyword_is(Keyword::TO)?;
                let to = p.parse_identifier()?;
                ops.push(AttributeOp::Rename { from, to });
            } else {
                return Err(ParserError::ParserError(format!(
                    "unknown ALTER TYPE action at {}",
                    p.peek_token().token
                )));
            }
            let _ = p.parse_one_of_keywords(&[Keyword::CASCADE, Keyword::RESTRICT]);
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        end(&mut p)?;
        Ok(Some((name, ops)))
    };
    run().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_actions() {
        let (n, op) = parse_alter_domain(
            "ALTER DOMAIN public.pos ADD CONSTRAINT pos_small CHECK (VALUE < 10) NOT VALID",
        )
        .unwrap();
        assert_eq!(n.to_string(), "public.pos");
        match op {
            DomainOp::AddCheck {
                name,
                expr,
                not_valid,
            } => {
                assert_eq!(name.unwrap().value, "pos_small");
                assert_eq!(expr.to_string(), "VALUE < 10");
                assert!(not_valid);
            }
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            parse_alter_domain("alter domain d add check (value > 0)")
                .unwrap()
                .1,
            DomainOp::AddCheck {
                name: None,
                not_valid: false,
                ..
            }
        ));
        assert_eq!(
            parse_alter_domain("ALTER DOMAIN d SET NOT NULL").unwrap().1,
            DomainOp::SetNotNull
        );
        assert_eq!(
            parse_alter_domain("ALTER DOMAIN d DROP DEFAULT;")
                .unwrap()
                .1,
            DomainOp::DropDefault
        );
        assert!(matches!(
            parse_alter_domain("ALTER DOMAIN d SET DEFAULT 'x'::text")
                .unwrap()
                .1,
            DomainOp::SetDefault(_)
        ));
        assert!(matches!(
            parse_alter_domain("ALTER DOMAIN d DROP CONSTRAINT IF EXISTS c CASCADE")
                .unwrap()
                .1,
            DomainOp::DropConstraint { .. }
        ));
        assert!(matches!(
            parse_alter_domain("ALTER DOMAIN d VALIDATE CONSTRAINT c")
                .unwrap()
                .1,
            DomainOp::Validate(_)
        ));
        let e = parse_alter_domain("ALTER DOMAIN d ADD PRIMARY KEY (x)").unwrap_err();
        assert!(e.contains("CHECK"), "{e}");
        assert!(parse_alter_domain("ALTER DOMAIN d FROBNICATE").is_err());
    }

    #[test]
    fn type_attribute_actions() {
        let (n, ops) = parse_alter_type_attributes(
            "ALTER TYPE pt ADD ATTRIBUTE z text, DROP ATTRIBUTE IF EXISTS y CASCADE, ALTER ATTRIBUTE x SET DATA TYPE bigint",
        )
        .unwrap()
        .unwrap();
        assert_eq!(n.to_string(), "pt");
        assert_eq!(ops.len(), 3);
        assert!(
            matches!(&ops[0], AttributeOp::Add { name, data_type } if name.value == "z" && data_type.to_string() == "TEXT")
        );
        assert!(matches!(
            &ops[1],
            AttributeOp::Drop {
                if_exists: true,
                ..
            }
        ));
        assert!(
            matches!(&ops[2], AttributeOp::Alter { data_type, .. } if data_type.to_string() == "BIGINT")
        );
        assert!(
            parse_alter_type_attributes("ALTER TYPE pt OWNER TO bob")
                .unwrap()
                .is_none()
        );
        assert!(parse_alter_type_attributes("ALTER TYPE pt ADD VALUE 'x'").is_err());
    }
}
