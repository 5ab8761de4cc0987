//! A physical-plan rule the scheduler runs last: window functions whose sort relies on a column
//! being constant get that column written into the sort.
//!
//! Why: for `min(x) OVER (PARTITION BY year, classification, reporter)` under `WHERE year
//! BETWEEN 2020 AND 2020` (dyad's products query for one year), DataFusion knows `year` is
//! constant, sorts by `classification, reporter` only, and plans a window whose partition columns
//! all count as sorted. Ballista cuts the plan into stages and each executor rebuilds its stage
//! from protobuf; the stage holding the window reads a shuffle, so the filter that made `year`
//! constant is in another stage, and the rebuilt window finds only two of its three partition
//! columns sorted and fails ("All partition by columns should have an ordering"). Sorting by a
//! constant first changes no row's place, and makes the ordering survive the trip.

use std::sync::Arc;

use dyad_trade::datafusion::common::config::ConfigOptions;
use dyad_trade::datafusion::common::tree_node::{Transformed, TreeNode};
use dyad_trade::datafusion::error::Result;
use dyad_trade::datafusion::physical_expr::{LexOrdering, PhysicalExpr, PhysicalSortExpr};
use dyad_trade::datafusion::physical_optimizer::PhysicalOptimizerRule;
use dyad_trade::datafusion::physical_plan::sorts::sort::SortExec;
use dyad_trade::datafusion::physical_plan::windows::{BoundedWindowAggExec, WindowAggExec};
use dyad_trade::datafusion::physical_plan::{replace_children_if_necessary, ExecutionPlan};

/// See the [module](self) documentation.
#[derive(Debug, Default)]
pub struct ExplicitWindowSort;

impl ExplicitWindowSort {
    /// The rule, as a session state takes it.
    pub fn shared() -> Arc<dyn PhysicalOptimizerRule + Send + Sync> {
        Arc::new(ExplicitWindowSort)
    }
}

/// The partition columns of a window node, if `plan` is one.
fn partition_columns(plan: &Arc<dyn ExecutionPlan>) -> Option<Vec<Arc<dyn PhysicalExpr>>> {
    if let Some(w) = plan.downcast_ref::<WindowAggExec>() {
        return Some(w.window_expr()[0].partition_by().to_vec());
    }
    if let Some(w) = plan.downcast_ref::<BoundedWindowAggExec>() {
        return Some(w.window_expr()[0].partition_by().to_vec());
    }
    None
}

/// `plan` with the partition columns its input's sort leaves out put first in that sort;
/// unchanged when the sort names them all or the input is not a sort.
fn rewrite(plan: Arc<dyn ExecutionPlan>) -> Result<Transformed<Arc<dyn ExecutionPlan>>> {
    let Some(partition_by) = partition_columns(&plan) else {
        return Ok(Transformed::no(plan));
    };
    // A window node has one input.
    let Some(sort) = plan
        .children()
        .first()
        .and_then(|input| input.downcast_ref::<SortExec>())
    else {
        return Ok(Transformed::no(plan));
    };
    let sorted: Vec<_> = sort.expr().iter().map(|e| e.expr.clone()).collect();
    let missing: Vec<_> = partition_by
        .iter()
        .filter(|p| !sorted.iter().any(|s| s.eq(*p)))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(Transformed::no(plan));
    }
    let exprs = missing
        .into_iter()
        .map(PhysicalSortExpr::new_default)
        .chain(sort.expr().iter().cloned());
    let Some(ordering) = LexOrdering::new(exprs) else {
        return Ok(Transformed::no(plan));
    };
    let new_sort = SortExec::new(ordering, sort.input().clone())
        .with_preserve_partitioning(sort.preserve_partitioning())
        .with_fetch(sort.fetch());
    let rebuilt = replace_children_if_necessary(plan.clone(), vec![Arc::new(new_sort)])?;
    Ok(Transformed::yes(rebuilt))
}

impl PhysicalOptimizerRule for ExplicitWindowSort {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(plan.transform_up(rewrite)?.data)
    }

    fn name(&self) -> &str {
        "dyad_explicit_window_sort"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
