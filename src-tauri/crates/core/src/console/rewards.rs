//! The console's rewards operations: the Rewards page (create, edit, retire, the mirror check and
//! redemption counts) and support's manual point adjustments.

use serde::Serialize;
use ts_rs::TS;

use super::Console;
use crate::base::error::Result;
use crate::loyalty::adjustments::{self, PointsAdjustment};
use crate::loyalty::mirror_check::{self, MirrorSummary, RedemptionCount, RewardMirror};
use crate::loyalty::redemptions::{self, OverdrawnPersona};
use crate::loyalty::rewards::{self, Reward, RewardInput};

/// The mirror check as the Rewards page and the integration cards show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MirrorReport {
    /// Each active reward in each store key of each connected integration it is offered at.
    pub rows: Vec<RewardMirror>,
    /// Per integration: how many of those rewards are mirrored everywhere.
    pub summaries: Vec<MirrorSummary>,
}

impl Console {
    /// Every reward, live ones first.
    pub async fn rewards(&self) -> Result<Vec<Reward>> {
        self.blocking(|db| db.read(rewards::list)).await
    }

    /// Creates a reward (`id` none) or changes one; the mirror notifications follow at once.
    pub async fn save_reward(&self, id: Option<i64>, input: RewardInput) -> Result<Reward> {
        self.blocking(move |db| {
            let saved = match id {
                None => rewards::create(db, input)?,
                Some(id) => rewards::update(db, id, input)?,
            };
            db.write(|tx| mirror_check::refresh_notifications(tx).map(drop))?;
            Ok(saved)
        })
        .await
    }

    /// Retires a reward, keeping its history; its notifications clear.
    pub async fn retire_reward(&self, id: i64) -> Result<Reward> {
        self.blocking(move |db| {
            let retired = rewards::retire(db, id)?;
            db.write(|tx| mirror_check::refresh_notifications(tx).map(drop))?;
            Ok(retired)
        })
        .await
    }

    /// Checks every active reward against the discount lists of the last syncs, refreshing the
    /// notifications for missing ones.
    pub async fn reward_mirrors(&self) -> Result<MirrorReport> {
        self.blocking(|db| {
            let rows = db.write(|tx| mirror_check::refresh_notifications(tx))?;
            let summaries = mirror_check::summaries(&rows);
            Ok(MirrorReport { rows, summaries })
        })
        .await
    }

    /// Redemptions per reward and store between two days (`YYYY-MM-DD`, inclusive).
    pub async fn redemption_counts(
        &self,
        from: String,
        to: String,
    ) -> Result<Vec<RedemptionCount>> {
        self.blocking(move |db| db.read(|c| mirror_check::redemption_counts(c, &from, &to)))
            .await
    }

    /// Personas whose redemptions took them below zero points.
    pub async fn overdrawn_personas(&self) -> Result<Vec<OverdrawnPersona>> {
        self.blocking(|db| db.read(redemptions::overdrawn)).await
    }

    /// Adjusts a persona's points by hand with a reason; returns the new balance.
    pub async fn adjust_points(&self, adjustment: PointsAdjustment) -> Result<i64> {
        self.blocking(move |db| {
            let balance = adjustments::adjust(db, &adjustment)?;
            db.write(|tx| redemptions::refresh_overdrawn_notification(tx).map(drop))?;
            Ok(balance)
        })
        .await
    }
}
