//! Service-code serials: the collector's share of the serial space, handed out in batches so
//! two batches of one unit, service and day never repeat a serial.

use super::audit::{record, Actor, AuditAction};
use super::error::{StoreError, StoreErrorKind};
use super::sql::Sql;
use super::writer::{WriteContext, WriteJob};
use ikm_core::config::Slug;
use ikm_core::time::Date;
use serde_json::json;
use sqlx::AnyConnection;

/// Serials the collector gives out: 0 to this; queue machines mint above it on their own.
pub const COLLECTOR_SERIALS: u32 = 65_535;

/// Reserves `count` serials of `service` on `day` for `by.unit`; answers the first, or None
/// when the collector's serials for that day would run out (nothing is reserved then).
pub(crate) struct ReserveSerials {
    pub(crate) service: Slug,
    pub(crate) day: Date,
    pub(crate) count: u32,
    pub(crate) at: i64,
    pub(crate) by: Actor,
}

impl WriteJob for ReserveSerials {
    type Reply = Option<u32>;

    async fn apply(
        &self,
        conn: &mut AnyConnection,
        _: &WriteContext,
    ) -> Result<Option<u32>, StoreError> {
        let count = i64::from(self.count);
        let mut sql = Sql::new("SELECT last FROM code_serials WHERE unit = ");
        sql.bind(self.by.unit.clone())
            .push(" AND service = ")
            .bind(self.service.to_string())
            .push(" AND day = ")
            .bind(self.day.days_since_epoch());
        let given: i64 = match sql.query()?.fetch_optional(&mut *conn).await? {
            Some(row) => sqlx::Row::try_get(&row, 0)?,
            None => -1,
        };
        if given + count > i64::from(COLLECTOR_SERIALS) {
            return Ok(None);
        }
        let mut sql = Sql::new("INSERT INTO code_serials (unit, service, day, last) VALUES (");
        sql.bind(self.by.unit.clone())
            .push(", ")
            .bind(self.service.to_string())
            .push(", ")
            .bind(self.day.days_since_epoch())
            .push(", ")
            .bind(count - 1)
            .push(") ON CONFLICT (unit, service, day) DO UPDATE SET last = code_serials.last + ")
            .bind(count)
            .push(" RETURNING last");
        let last: i64 = sqlx::Row::try_get(&sql.query()?.fetch_one(&mut *conn).await?, 0)?;
        let first = last - count + 1;
        if last > i64::from(COLLECTOR_SERIALS) {
            // Another replica reserved in between: this write alone is rolled back.
            return Err(StoreError::new(
                StoreErrorKind::Database,
                "code serials reserved concurrently past the collector's range",
            ));
        }
        record(
            conn,
            &self.by,
            AuditAction::CodesMint,
            &format!("{}/{}", self.day, self.service),
            None,
            Some(json!({ "first": first, "count": self.count })),
            self.at,
        )
        .await?;
        Ok(u32::try_from(first).ok())
    }
}
