//! Where backups go: a local (or mounted) path, an S3-compatible bucket, or another host over SSH.

use crate::error::KdError;
use serde::Serialize;

/// A parsed backup destination.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Target {
    /// A local directory, or a mounted one (NFS, SMB) from another host.
    Local { path: String },
    /// An S3 bucket or an S3-compatible store (MinIO, Ceph, R2 ...).
    S3 {
        bucket: String,
        /// Key prefix without leading or trailing slashes (may be empty).
        prefix: String,
        /// `https://host:port` of an S3-compatible store; empty for AWS.
        endpoint: String,
        region: String,
    },
    /// Another host reached over SSH.
    Ssh {
        host: String,
        user: String,
        path: String,
    },
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, KdError> {
        let t = s.trim();
        let bad = |why: &str| {
            KdError::invalid(format!(
                "target: `{s}` {why}; write a local path (/backups/db), an S3 URL (s3://bucket/prefix, with ?endpoint=https://minio:9000&region=us-east-1 for S3-compatible stores) or another host (ssh://user@host/path or user@host:/path)"
            ))
        };
        if t.is_empty() {
            return Err(bad("is empty"));
        }
        if let Some(rest) = t.strip_prefix("s3://") {
            let (loc, query) = match rest.split_once('?') {
                Some((l, q)) => (l, q),
                None => (rest, ""),
            };
            let (bucket, prefix) = match loc.split_once('/') {
                Some((b, p)) => (b, p.trim_matches('/')),
                None => (loc, ""),
            };
            if bucket.is_empty()
                || !bucket
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
            {
                return Err(bad("has no valid bucket name"));
            }
            if !path_chars_ok(prefix) {
                return Err(bad(
                    "has characters the scripts cannot quote safely in its prefix",
                ));
            }
            let mut endpoint = String::new();
            let mut region = String::from("us-east-1");
            for kv in query.split('&').filter(|p| !p.is_empty()) {
                match kv.split_once('=') {
                    Some(("endpoint", v)) if !v.is_empty() => {
                        endpoint = if v.contains("://") {
                            v.to_string()
                        } else {
                            format!("https://{v}")
                        }
                    }
                    Some(("region", v)) if !v.is_empty() => region = v.to_string(),
                    _ => {
                        return Err(bad(
                            "has an unknown query parameter (only endpoint= and region= are read)",
                        ));
                    }
                }
            }
            if !path_chars_ok(&endpoint) {
                return Err(bad("has an endpoint the scripts cannot quote safely"));
            }
            if !path_chars_ok(&region) {
                return Err(bad("has a region the scripts cannot quote safely"));
            }
            return Ok(Target::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
                endpoint,
                region,
            });
        }
        if t.contains("://") && !t.starts_with("ssh://") && !t.starts_with("file://") {
            return Err(bad("uses a scheme kd-dba does not write to"));
        }
        if let Some(rest) = t.strip_prefix("ssh://") {
            let (auth, path) = rest.split_once('/').ok_or_else(|| bad("has no path"))?;
            let (user, host) = match auth.split_once('@') {
                Some((u, h)) => (u, h),
                None => ("", auth),
            };
            return ssh(user, host, &format!("/{path}"), &bad);
        }
        if let Some(p) = t.strip_prefix("file://") {
            return local(p, &bad);
        }
        if !t.starts_with('/')
            && let Some((auth, path)) = t.split_once(':')
            && path.starts_with('/')
        {
            let (user, host) = match auth.split_once('@') {
                Some((u, h)) => (u, h),
                None => ("", auth),
            };
            return ssh(user, host, path, &bad);
        }
        local(t, &bad)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Local { .. } => "local",
            Target::S3 { .. } => "s3",
            Target::Ssh { .. } => "ssh",
        }
    }

    /// The URL scripts push a local repository to (empty for a local target).
    pub fn remote_url(&self) -> String {
        match self {
            Target::Local { .. } => String::new(),
            Target::S3 { bucket, prefix, .. } => {
                if prefix.is_empty() {
                    format!("s3://{bucket}")
                } else {
                    format!("s3://{bucket}/{prefix}")
                }
            }
            Target::Ssh { host, user, path } => {
                if user.is_empty() {
                    format!("{host}:{path}")
                } else {
                    format!("{user}@{host}:{path}")
                }
            }
        }
    }

    pub fn display(&self) -> String {
        match self {
            Target::Local { path } => path.clone(),
            Target::S3 { endpoint, .. } if !endpoint.is_empty() => {
                format!("{} (endpoint {endpoint})", self.remote_url())
            }
            _ => self.remote_url(),
        }
    }
}

fn local(p: &str, bad: &dyn Fn(&str) -> KdError) -> Result<Target, KdError> {
    if !p.starts_with('/') {
        return Err(bad("is not an absolute path"));
    }
    if !path_chars_ok(p) {
        return Err(bad("has characters the scripts cannot quote safely"));
    }
    let trimmed = p.trim_end_matches('/');
    Ok(Target::Local {
        path: if trimmed.is_empty() {
            "/".to_string()
        } else {
            trimmed.to_string()
        },
    })
}

fn ssh(
    user: &str,
    host: &str,
    path: &str,
    bad: &dyn Fn(&str) -> KdError,
) -> Result<Target, KdError> {
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err(bad("has no valid host name"));
    }
    if !user
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err(bad("has an invalid user name"));
    }
    if !path_chars_ok(path) {
        return Err(bad("has characters the scripts cannot quote safely"));
    }
    Ok(Target::Ssh {
        host: host.to_string(),
        user: user.to_string(),
        path: path.trim_end_matches('/').to_string(),
    })
}

/// Paths and names end up inside double-quoted shell strings and single-quoted configuration
/// values; allow the characters that are safe in both.
pub fn path_chars_ok(p: &str) -> bool {
    p.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '/' | '.' | '-' | '_' | ':' | '+' | '@' | '=' | ',')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("/backups/pg/").unwrap(),
            Target::Local {
                path: "/backups/pg".into()
            }
        );
        match Target::parse("s3://bucket/db/main?endpoint=minio:9000&region=eu-west-1").unwrap() {
            Target::S3 {
                bucket,
                prefix,
                endpoint,
                region,
            } => {
                assert_eq!(
                    (
                        bucket.as_str(),
                        prefix.as_str(),
                        endpoint.as_str(),
                        region.as_str()
                    ),
                    ("bucket", "db/main", "https://minio:9000", "eu-west-1")
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            Target::parse("backup@vault.internal:/srv/backups")
                .unwrap()
                .remote_url(),
            "backup@vault.internal:/srv/backups"
        );
        assert_eq!(
            Target::parse("ssh://vault/srv/b").unwrap().remote_url(),
            "vault:/srv/b"
        );
        for bad in [
            "",
            "relative/path",
            "gs://bucket",
            "s3://",
            "/path with space",
            "/x;rm",
            "s3://b/p?acl=public",
        ] {
            let e = Target::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("target:"), "{bad}: {e}");
        }
    }
}
