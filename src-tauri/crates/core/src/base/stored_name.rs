//! Closed sets stored as text: one declaration gives the enum, its stored (and wire) names, the
//! TypeScript union the UI switches on, and the SQLite conversions, so a stored name has one
//! spelling in Rust, in the database and in the UI.

/// Declares a closed set stored as text.
///
/// Each variant is written `Variant => "stored_name"`; the enum gets `ALL`, `as_str`, `parse`,
/// serde and ts-rs under the stored names, and `ToSql` / `FromSql`. Reading a name that is not in
/// the set fails as a column conversion error instead of guessing.
macro_rules! stored_name {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, ts_rs::TS,
        )]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every member of the set, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Reads a stored name back; `None` when it is not in the set.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                Self::parse(text).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(
                        format!("`{text}` is not a stored {}", stringify!($name)).into(),
                    )
                })
            }
        }
    };
}

pub(crate) use stored_name;

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    stored_name! {
        /// A set for the tests.
        pub enum Colour {
            /// Red.
            Red => "red",
            /// Light blue.
            LightBlue => "light_blue",
        }
    }

    #[test]
    fn every_name_reads_back_and_round_trips_through_sqlite() {
        let connection = Connection::open_in_memory().expect("in-memory database");
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.as_str()), Some(*colour));
            let back: Colour = connection
                .query_row("SELECT ?1", [colour], |r| r.get(0))
                .expect("round trip");
            assert_eq!(back, *colour);
        }
        assert_eq!(
            serde_json::to_string(&Colour::LightBlue).expect("json"),
            "\"light_blue\""
        );
    }

    #[test]
    fn a_name_outside_the_set_is_a_conversion_error() {
        let connection = Connection::open_in_memory().expect("in-memory database");
        let read: rusqlite::Result<Colour> =
            connection.query_row("SELECT 'green'", [], |r| r.get(0));
        assert!(read.is_err());
        assert_eq!(Colour::parse("Red"), None);
    }
}
