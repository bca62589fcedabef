//! POSaBIT's API behind the connector seam: pages by page number, shoppers looked up by phone
//! then e-mail.

use serde_json::json;

use super::schema::PosabitSchema;
use super::PosabitClient;
use crate::base::error::{Error, Result};
use crate::base::secret::Secret;
use crate::pos::connector::{Access, Connector, NewShopper, PosFuture, PosSchema};
use crate::pos::streams::{Position, RawPage, RecordKind, StreamPlan};

/// Records per page asked of POSaBIT (its maximum is 500).
pub const PAGE_SIZE: u64 = 500;

impl PosabitClient {
    async fn page(
        &self,
        secret: &Secret,
        plan: &StreamPlan,
        position: &Position,
    ) -> Result<RawPage> {
        let Position::Page { after, page } = position else {
            return Err(Error::internal(format!(
                "A sync asked POSaBIT's {} for {position:?}, which it cannot page by.",
                plan.stream
            )));
        };
        let after = after.as_deref();
        let listed = match plan.kind {
            RecordKind::Customer => self.customers_page(secret, *page, PAGE_SIZE, after).await?,
            RecordKind::Sale => self.tickets_page(secret, *page, PAGE_SIZE, after).await?,
            RecordKind::Coupon => {
                let records = self.coupons_page(secret, *page, PAGE_SIZE).await?;
                return Ok(RawPage {
                    remaining: None,
                    more: records.len() as u64 >= PAGE_SIZE,
                    records,
                    budget: None,
                });
            }
        };
        // An empty page ends the list, whatever `total_pages` claims.
        Ok(RawPage {
            remaining: Some(
                listed
                    .total_records
                    .saturating_sub(page.saturating_sub(1).saturating_mul(PAGE_SIZE)),
            ),
            more: *page < listed.total_pages && !listed.records.is_empty(),
            records: listed.records,
            budget: listed.budget,
        })
    }

    async fn find(&self, secret: &Secret, shopper: &NewShopper) -> Result<Option<String>> {
        let searches = [
            ("telephone", shopper.national_phone()),
            ("email", shopper.email.clone()),
        ];
        for (field, value) in searches {
            if let Some(value) = value {
                if let Some(id) = self.find_customer(secret, field, &value).await? {
                    return Ok(Some(id));
                }
            }
        }
        Ok(None)
    }
}

impl Connector for PosabitClient {
    fn schema(&self) -> &dyn PosSchema {
        &PosabitSchema
    }

    fn check_access<'a>(&'a self, secret: &'a Secret) -> PosFuture<'a, Access> {
        Box::pin(async move {
            let venue = self.venue_info(secret).await?;
            Ok(Access {
                name: Some(venue.name),
                state: venue.state,
                permissions: Some(venue.permissions),
                locations: None,
            })
        })
    }

    fn fetch_page<'a>(
        &'a self,
        secret: &'a Secret,
        plan: &'a StreamPlan,
        position: &'a Position,
    ) -> PosFuture<'a, RawPage> {
        Box::pin(self.page(secret, plan, position))
    }

    fn find_shopper<'a>(
        &'a self,
        secret: &'a Secret,
        _location: Option<u64>,
        shopper: &'a NewShopper,
    ) -> PosFuture<'a, Option<String>> {
        Box::pin(self.find(secret, shopper))
    }

    fn create_shopper<'a>(
        &'a self,
        secret: &'a Secret,
        _location: Option<u64>,
        shopper: &'a NewShopper,
    ) -> PosFuture<'a, String> {
        let fields = crate::pos::without_nulls(json!({
            "first_name": shopper.first_name, "last_name": shopper.last_name,
            "telephone": shopper.national_phone(), "email": shopper.email,
            "date_of_birth": shopper.birth_date, "loyalty_member": true,
        }));
        Box::pin(self.create_customer(secret, fields))
    }
}
