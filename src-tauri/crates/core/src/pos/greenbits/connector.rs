//! Greenbits' API behind the connector seam: every call at a location, lists by offset, shoppers
//! found by a text search checked against the normalised phone and e-mail.

use serde_json::json;

use super::schema::GreenbitsSchema;
use super::{GreenbitsClient, GreenbitsList};
use crate::base::error::{Error, Result};
use crate::base::identity::{normalize_email, normalize_phone};
use crate::base::secret::Secret;
use crate::pos::connector::{Access, Connector, NewShopper, PosFuture, PosSchema};
use crate::pos::record_id;
use crate::pos::streams::{Position, RawPage, Stream, StreamPlan};
use crate::pos::LocationChoice;

/// Records per page asked of Greenbits (the sandbox's maximum is 500).
pub const PAGE_SIZE: u64 = 500;

/// The location a Greenbits call is made at: every one of them needs one.
fn at(location: Option<u64>) -> Result<u64> {
    location.ok_or_else(|| Error::internal("A Greenbits call has no location."))
}

impl GreenbitsClient {
    async fn page(
        &self,
        secret: &Secret,
        plan: &StreamPlan,
        position: &Position,
    ) -> Result<RawPage> {
        let (offset, limit) = match position {
            Position::Probe(offset) => (*offset, 1),
            Position::Offset(offset) => (*offset, PAGE_SIZE),
            Position::Page { page, .. } => {
                (page.saturating_sub(1).saturating_mul(PAGE_SIZE), PAGE_SIZE)
            }
        };
        let list = match (plan.stream, position) {
            (Stream::Customers, Position::Offset(_) | Position::Probe(_)) => GreenbitsList::People,
            (Stream::Patients, Position::Offset(_) | Position::Probe(_)) => GreenbitsList::Patients,
            (Stream::Sales, Position::Offset(_) | Position::Probe(_)) => GreenbitsList::Orders,
            // The discount list is read whole every run, a page at a time.
            (Stream::Coupons, Position::Page { .. }) => GreenbitsList::Discounts,
            _ => {
                return Err(Error::internal(format!(
                    "A sync asked Greenbits' {} for {position:?}, which it cannot page by.",
                    plan.stream
                )))
            }
        };
        let listed = self
            .list_page(secret, at(plan.location)?, list, offset, limit)
            .await?;
        Ok(RawPage::at_offset(listed.records, offset, listed.total).with_budget(listed.budget))
    }

    /// Searches by phone, then e-mail, and keeps only a person whose normalised phone or e-mail is
    /// the shopper's (Greenbits' search is a loose text match).
    async fn find(
        &self,
        secret: &Secret,
        location: Option<u64>,
        shopper: &NewShopper,
    ) -> Result<Option<String>> {
        let location = at(location)?;
        let searches = [shopper.national_phone(), shopper.email.clone()];
        for text in searches.into_iter().flatten() {
            for person in self.search_people(secret, location, &text).await? {
                let same_phone = shopper.phone.is_some()
                    && person["phone"].as_str().and_then(normalize_phone) == shopper.phone;
                let same_email = shopper.email.is_some()
                    && person["email"].as_str().and_then(normalize_email) == shopper.email;
                if same_phone || same_email {
                    if let Some(id) = record_id(&person) {
                        return Ok(Some(id));
                    }
                }
            }
        }
        Ok(None)
    }

    async fn create(
        &self,
        secret: &Secret,
        location: Option<u64>,
        shopper: &NewShopper,
    ) -> Result<String> {
        let fields = crate::pos::without_nulls(json!({
            "first_name": shopper.first_name, "last_name": shopper.last_name,
            "phone": shopper.national_phone(), "email": shopper.email,
            "birth_date": shopper.birth_date,
        }));
        self.create_customer(secret, at(location)?, fields).await
    }
}

impl Connector for GreenbitsClient {
    fn schema(&self) -> &dyn PosSchema {
        &GreenbitsSchema
    }

    /// Greenbits tells the permissions only at log-in (with the password); the stored token shows
    /// whether it is still accepted and which locations it reaches.
    fn check_access<'a>(&'a self, secret: &'a Secret) -> PosFuture<'a, Access> {
        Box::pin(async move {
            let locations = self.locations(secret).await?;
            Ok(Access {
                locations: Some(locations.into_iter().map(LocationChoice::from).collect()),
                ..Access::default()
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
        location: Option<u64>,
        shopper: &'a NewShopper,
    ) -> PosFuture<'a, Option<String>> {
        Box::pin(self.find(secret, location, shopper))
    }

    fn create_shopper<'a>(
        &'a self,
        secret: &'a Secret,
        location: Option<u64>,
        shopper: &'a NewShopper,
    ) -> PosFuture<'a, String> {
        Box::pin(self.create(secret, location, shopper))
    }
}
