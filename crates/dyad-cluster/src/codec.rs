//! How dyad's in-memory tables travel to the scheduler inside a query plan.
//!
//! A Ballista client sends the scheduler the query's logical plan, serialised by
//! `datafusion-proto`, which knows listing tables (the store's Parquet files) but not
//! DataFusion's `MemTable`: `countries`, `areas`, the bundled reported figures and an empty
//! `products` are such tables (see `dyad_trade::tables`). [`DyadLogicalCodec`] writes a
//! `MemTable` as Arrow IPC streams, one per partition, behind a magic prefix, and reads it back
//! into the same `MemTable`; everything else goes to Ballista's own codec unchanged. The tables
//! are small (a few hundred rows), so a plan grows by tens of kilobytes.
//!
//! The client and the scheduler must both use this codec: `dyad cluster scheduler` does (one
//! binary runs every role). Executors receive physical plans, whose in-memory scans
//! `datafusion-proto` serialises itself.

use std::io::Cursor;
use std::sync::Arc;

use ballista_core::serde::BallistaLogicalExtensionCodec;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_trade::datafusion::arrow::datatypes::SchemaRef;
use dyad_trade::datafusion::arrow::ipc::reader::StreamReader;
use dyad_trade::datafusion::arrow::ipc::writer::StreamWriter;
use dyad_trade::datafusion::catalog::TableProvider;
use dyad_trade::datafusion::common::TableReference;
use dyad_trade::datafusion::datasource::file_format::FileFormatFactory;
use dyad_trade::datafusion::datasource::MemTable;
use dyad_trade::datafusion::error::{DataFusionError, Result};
use dyad_trade::datafusion::execution::TaskContext;
use dyad_trade::datafusion::logical_expr::{
    AggregateUDF, Extension, LogicalPlan, ScalarUDF, WindowUDF,
};

/// Marks a table provider encoded by this codec (and its format's version).
const MAGIC: &[u8; 8] = b"dyadmem1";

/// Ballista's logical codec, plus in-memory tables; see the [module](self) documentation.
#[derive(Debug, Default)]
pub struct DyadLogicalCodec {
    ballista: BallistaLogicalExtensionCodec,
}

impl DyadLogicalCodec {
    /// The codec, shared as the session configs and scheduler want it.
    pub fn shared() -> Arc<dyn LogicalExtensionCodec> {
        Arc::new(DyadLogicalCodec::default())
    }
}

/// `MAGIC`, the partition count (u32, little-endian), then per partition its length in bytes
/// (u64) and an Arrow IPC stream of its batches.
fn encode_mem(table: &MemTable, buf: &mut Vec<u8>) -> Result<()> {
    buf.extend_from_slice(MAGIC);
    let parts = u32::try_from(table.batches.len())
        .map_err(|_| DataFusionError::Internal("too many partitions".into()))?;
    buf.extend_from_slice(&parts.to_le_bytes());
    let schema = table.schema();
    for partition in &table.batches {
        // Nothing writes to dyad's tables after they are registered, so the lock is free.
        let batches = partition.try_read().map_err(|_| {
            DataFusionError::Internal("an in-memory table is being written to".into())
        })?;
        let mut ipc = Vec::new();
        {
            let mut writer = StreamWriter::try_new(&mut ipc, &schema)?;
            for b in batches.iter() {
                writer.write(b)?;
            }
            writer.finish()?;
        }
        buf.extend_from_slice(&(ipc.len() as u64).to_le_bytes());
        buf.extend_from_slice(&ipc);
    }
    Ok(())
}

/// Reads what [`encode_mem`] wrote, checking it against the plan's `schema`.
fn decode_mem(mut buf: &[u8], table: &TableReference, schema: SchemaRef) -> Result<MemTable> {
    let bad = |what: &str| {
        DataFusionError::Internal(format!(
            "in-memory table `{table}` in the query plan: {what}"
        ))
    };
    let mut take = |n: usize| -> Result<&[u8]> {
        if buf.len() < n {
            return Err(bad("truncated"));
        }
        let (head, rest) = buf.split_at(n);
        buf = rest;
        Ok(head)
    };
    let parts = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
    let mut partitions = Vec::with_capacity(parts.min(1024) as usize);
    for _ in 0..parts {
        let len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
        let ipc = take(usize::try_from(len).map_err(|_| bad("length out of range"))?)?;
        let reader = StreamReader::try_new(Cursor::new(ipc), None)?;
        if reader.schema().fields() != schema.fields() {
            return Err(bad("its columns differ from the plan's"));
        }
        let batches = reader.collect::<std::result::Result<Vec<RecordBatch>, _>>()?;
        // Rebuilt with the plan's schema, so that metadata cannot differ from the plan's.
        let batches = batches
            .into_iter()
            .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        partitions.push(batches);
    }
    if !buf.is_empty() {
        return Err(bad("trailing bytes"));
    }
    MemTable::try_new(schema, partitions)
}

impl LogicalExtensionCodec for DyadLogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match buf.strip_prefix(MAGIC.as_slice()) {
            Some(rest) => Ok(Arc::new(decode_mem(rest, table_ref, schema)?)),
            None => self
                .ballista
                .try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        match node.downcast_ref::<MemTable>() {
            Some(mem) => encode_mem(mem, buf),
            None => self
                .ballista
                .try_encode_table_provider(table_ref, node, buf),
        }
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.ballista.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        self.ballista.try_decode_udf(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode_udf(node, buf)
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> Result<Arc<AggregateUDF>> {
        self.ballista.try_decode_udaf(name, buf)
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode_udaf(node, buf)
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> Result<Arc<WindowUDF>> {
        self.ballista.try_decode_udwf(name, buf)
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode_udwf(node, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dyad_trade::datafusion::arrow::array::{Int32Array, StringArray};
    use dyad_trade::datafusion::arrow::datatypes::{DataType, Field, Schema};

    fn table(parts: Vec<Vec<RecordBatch>>, schema: SchemaRef) -> Arc<dyn TableProvider> {
        Arc::new(MemTable::try_new(schema, parts).unwrap())
    }

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("code", DataType::Int32, false),
            Field::new("name", DataType::Utf8, true),
        ]))
    }

    fn batch(codes: &[i32], names: &[Option<&str>]) -> RecordBatch {
        RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(Int32Array::from(codes.to_vec())),
                Arc::new(StringArray::from(names.to_vec())),
            ],
        )
        .unwrap()
    }

    fn rows(t: &Arc<dyn TableProvider>) -> Vec<Vec<RecordBatch>> {
        let mem = t.downcast_ref::<MemTable>().expect("a MemTable");
        mem.batches
            .iter()
            .map(|p| p.try_read().unwrap().clone())
            .collect()
    }

    #[test]
    fn an_in_memory_table_comes_back_with_the_same_partitions_and_rows() {
        let codec = DyadLogicalCodec::default();
        let name = TableReference::bare("areas");
        let parts = vec![
            vec![
                batch(&[4, 490], &[Some("Afghanistan"), None]),
                batch(&[899], &[Some("Areas, nes")]),
            ],
            vec![],
        ];
        let original = table(parts.clone(), schema());
        let mut buf = Vec::new();
        codec
            .try_encode_table_provider(&name, original, &mut buf)
            .unwrap();
        let ctx = TaskContext::default();
        let back = codec
            .try_decode_table_provider(&buf, &name, schema(), &ctx)
            .unwrap();
        assert_eq!(rows(&back), parts);
    }

    #[test]
    fn a_damaged_or_mismatched_table_is_refused_with_its_name() {
        let codec = DyadLogicalCodec::default();
        let name = TableReference::bare("countries");
        let mut buf = Vec::new();
        codec
            .try_encode_table_provider(
                &name,
                table(vec![vec![batch(&[1], &[None])]], schema()),
                &mut buf,
            )
            .unwrap();
        let ctx = TaskContext::default();
        let cut = codec.try_decode_table_provider(&buf[..buf.len() - 3], &name, schema(), &ctx);
        let message = cut.unwrap_err().to_string();
        assert!(message.contains("`countries`"), "{message}");
        let other = Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, false)]));
        let wrong = codec.try_decode_table_provider(&buf, &name, other, &ctx);
        assert!(wrong.unwrap_err().to_string().contains("columns differ"));
    }
}
