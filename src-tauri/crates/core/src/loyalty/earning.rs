//! What a sale earns: points per dollar, and settling a linked purchase's points in the ledger
//! (once per sale, reversed once if voided), including the sales that waited for their shopper.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::base::error::Result;
use crate::config::page_context::PageContext;
use crate::loyalty::ledger::LedgerKind;

/// Attaches the sales that arrived before their shopper to the shopper's new persona.
pub fn link_waiting_purchases(
    tx: &Transaction<'_>,
    page: &PageContext,
    customer_pos_id: &str,
    persona_id: i64,
) -> Result<()> {
    let waiting: Vec<i64> = tx
        .prepare_cached(
            "UPDATE purchases SET persona_id = ?4
             WHERE integration = ?1 AND credential_id = ?2 AND customer_pos_id = ?3 AND persona_id IS NULL
             RETURNING id",
        )?
        .query_map(
            params![
                page.integration.as_str(),
                page.credential_id,
                customer_pos_id,
                persona_id
            ],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    for purchase_id in waiting {
        reconcile_purchase_points(tx, page, purchase_id)?;
    }
    Ok(())
}

/// Settles every purchase of one POS customer again (after the customer joined the programme).
pub fn reconcile_customer_points(
    tx: &Transaction<'_>,
    page: &PageContext,
    customer_pos_id: &str,
) -> Result<()> {
    let purchases: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM purchases WHERE integration = ?1 AND credential_id = ?2 AND customer_pos_id = ?3
               AND persona_id IS NOT NULL",
        )?
        .query_map(
            params![page.integration.as_str(), page.credential_id, customer_pos_id],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    for purchase_id in purchases {
        reconcile_purchase_points(tx, page, purchase_id)?;
    }
    Ok(())
}

/// Points a sale of `total_cents` earns at `points_per_dollar` (whole points, rounded down).
pub fn points_for(total_cents: i64, points_per_dollar: i64) -> i64 {
    total_cents.max(0).saturating_mul(points_per_dollar) / 100
}

/// A purchase linked to a persona, with what settling its points and redemptions reads: the sale
/// as stored and its POS customer's membership.
#[derive(Debug, Clone)]
pub struct LinkedSale {
    /// The persona it is on.
    pub persona_id: i64,
    /// The POS's id for the sale.
    pub pos_id: String,
    /// What the shopper paid, in cents.
    pub total_cents: i64,
    /// Voided at the POS.
    pub voided: bool,
    /// When it closed (RFC 3339).
    pub purchased_at: String,
    /// Its discount lines (JSON text).
    pub discounts: String,
    /// The mappable key it came through.
    pub store_key: String,
    /// Its POS customer's record is a loyalty member.
    pub member: bool,
    /// Its POS customer's record is an employee's.
    pub employee: bool,
}

impl LinkedSale {
    /// Reads the linked purchase `purchase_id`.
    pub fn read(tx: &Transaction<'_>, purchase_id: i64) -> Result<LinkedSale> {
        Ok(tx
            .prepare_cached(
                "SELECT p.persona_id, p.pos_id, p.total_cents, p.voided, p.purchased_at, p.discounts, p.store_key,
                        coalesce(s.loyalty_member, 0), coalesce(s.employee, 0)
                 FROM purchases p
                 LEFT JOIN source_records s ON s.integration = p.integration AND s.credential_id = p.credential_id
                                           AND s.pos_id = p.customer_pos_id
                 WHERE p.id = ?1",
            )?
            .query_row([purchase_id], |r| {
                Ok(LinkedSale {
                    persona_id: r.get(0)?,
                    pos_id: r.get(1)?,
                    total_cents: r.get(2)?,
                    voided: r.get(3)?,
                    purchased_at: r.get(4)?,
                    discounts: r.get(5)?,
                    store_key: r.get(6)?,
                    member: r.get(7)?,
                    employee: r.get(8)?,
                })
            })?)
    }
}

/// [`reconcile_sale_points`] for the linked purchase `purchase_id`, read from the database.
pub fn reconcile_purchase_points(
    tx: &Transaction<'_>,
    page: &PageContext,
    purchase_id: i64,
) -> Result<()> {
    reconcile_sale_points(tx, page, &LinkedSale::read(tx, purchase_id)?)
}

/// Brings a linked sale's points and its redemptions in line with the sale (see `redemptions`
/// for what a discount line spends; the persona's last purchase is settled once the sync's streams
/// are done, see `personas::pending`): a sale whose POS customer is (or became) a loyalty member
/// earns once; a voided sale's earning is reversed once (written first if the sale was voided
/// before it could earn). Employees earn none, nor do sales before the points accrual start date,
/// nor sales of an integration whose points are mirrored (the POS keeps those balances).
/// Membership is the POS record's, not the merged persona's, so the result does not depend on the
/// order records arrive in; a sale on or after the integration's enrolment date also makes its
/// shopper a member.
pub fn reconcile_sale_points(
    tx: &Transaction<'_>,
    page: &PageContext,
    sale: &LinkedSale,
) -> Result<()> {
    let LinkedSale {
        persona_id,
        ref pos_id,
        total_cents: total,
        voided,
        ref purchased_at,
        member,
        employee,
        ..
    } = *sale;
    let enrolled = !voided
        && page
            .enroll_after
            .as_deref()
            .is_some_and(|date| purchased_at.as_str() >= date);
    if enrolled {
        tx.prepare_cached(
            "UPDATE personas SET loyalty_member = 1, member_via = ?2 WHERE id = ?1 AND loyalty_member = 0",
        )?
        .execute(params![persona_id, format!("enrollment:{}", page.integration.as_str())])?;
    }
    let source = format!("{}:{}", page.integration.as_str(), page.credential_id);
    let eligible = (member || enrolled)
        && !employee
        && !page.mirror_points
        && page
            .accrual_start
            .as_deref()
            .is_none_or(|start| purchased_at.as_str() >= start);
    let earning = eligible.then(|| points_for(total, page.points_per_dollar));
    let write = |kind, points, reason| {
        crate::loyalty::ledger::write_settled_later(
            tx,
            crate::loyalty::ledger::Entry {
                persona_id,
                kind,
                points,
                source: &source,
                transaction_id: pos_id,
                reason,
            },
            &page.now,
        )
    };
    // The ledger's unique (source, transaction, kind) makes each entry land once. A voided sale
    // reads the same however late it was linked or seen voided: what it earned (or would have),
    // then that given back.
    if voided {
        let earned: Option<i64> = tx
            .prepare_cached(
                "SELECT points FROM points_ledger WHERE source = ?1 AND transaction_id = ?2 AND kind = 'earn'",
            )?
            .query_row(params![source, pos_id], |r| r.get(0))
            .optional()?;
        let earned = match (earned, earning) {
            (Some(points), _) => Some(points),
            (None, Some(points)) if points > 0 => {
                write(LedgerKind::Earn, points, "Purchase")?;
                Some(points)
            }
            _ => None,
        };
        if let Some(points) = earned.filter(|points| *points != 0) {
            write(LedgerKind::Adjust, -points, "Purchase voided")?;
        }
    } else if let Some(points) = earning.filter(|points| *points > 0) {
        write(LedgerKind::Earn, points, "Purchase")?;
    }
    crate::loyalty::redemptions::reconcile(tx, page, sale)
}

#[cfg(test)]
mod tests {
    use super::points_for;

    #[test]
    fn points_round_down_to_whole_points_and_refunds_earn_nothing() {
        assert_eq!(points_for(3_999, 1), 39);
        assert_eq!(points_for(3_999, 2), 79);
        assert_eq!(points_for(-500, 1), 0);
    }
}
