//! The main module without the segments that fill its table with nulls.
//!
//! wasm-split reserves every part's slots in the main module's function table with element
//! segments of nulls, so that wasm-bindgen and wasm-opt place nothing there; each part
//! fills its own slots when it loads. A table's slots start out null, so once those tools
//! are done the segments change nothing and only cost bytes: about 8.6 KB of the main
//! module before brotli, 0.5 KB after. They are dropped.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ElementSection, Module};
use wasmparser::{ElementItems, Operator, Parser, Payload};

use crate::split::copy_section;
use crate::Result;

/// `wasm` without its element segments of nulls only. Refuses a module whose code refers
/// to element segments by number (`table.init`, `elem.drop`), which dropping some would
/// renumber; the compiler does not write those.
pub fn drop_null_segments(wasm: &[u8]) -> Result<Vec<u8>> {
    let invalid = |e: wasmparser::BinaryReaderError| format!("reading the main module: {e}");
    let mut module = Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::ElementSection(reader) => {
                let mut section = ElementSection::new();
                for segment in reader.clone() {
                    let segment = segment.map_err(invalid)?;
                    if !only_nulls(&segment.items).map_err(invalid)? {
                        RoundtripReencoder
                            .parse_element(&mut section, segment)
                            .map_err(|e| format!("rewriting the main module's table: {e}"))?;
                    }
                }
                module.section(&section);
            }
            Payload::CodeSectionEntry(body) => {
                for operator in body.get_operators_reader().map_err(invalid)? {
                    if let Operator::TableInit { .. } | Operator::ElemDrop { .. } =
                        operator.map_err(invalid)?
                    {
                        return Err("the main module initialises its table from code".into());
                    }
                }
            }
            other => copy_section(&mut module, wasm, other),
        }
    }
    Ok(module.finish())
}

fn only_nulls(items: &ElementItems) -> wasmparser::Result<bool> {
    let ElementItems::Expressions(_, expressions) = items else {
        return Ok(false);
    };
    for expression in expressions.clone() {
        let mut operators = expression?.get_operators_reader();
        if !matches!(operators.read()?, Operator::RefNull { .. }) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, ConstExpr, ElementSegment, Elements, Function, FunctionSection, HeapType,
        Instruction, RefType, TableSection, TableType, TypeSection,
    };

    /// A table of four slots: slot 1 holds the one function, slots 2 and 3 are filled with
    /// nulls; the function's code is `code`.
    fn module(code: &[Instruction]) -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 4,
            maximum: Some(4),
            shared: false,
        });
        let mut elements = ElementSection::new();
        elements.segment(ElementSegment {
            mode: wasm_encoder::ElementMode::Active {
                table: None,
                offset: &ConstExpr::i32_const(1),
            },
            elements: Elements::Functions([0].as_slice().into()),
        });
        let nulls = [
            ConstExpr::ref_null(HeapType::FUNC),
            ConstExpr::ref_null(HeapType::FUNC),
        ];
        elements.segment(ElementSegment {
            mode: wasm_encoder::ElementMode::Active {
                table: None,
                offset: &ConstExpr::i32_const(2),
            },
            elements: Elements::Expressions(RefType::FUNCREF, nulls.as_slice().into()),
        });
        let mut body = Function::new([]);
        for instruction in code {
            body.instruction(instruction);
        }
        body.instruction(&Instruction::End);
        let mut bodies = CodeSection::new();
        bodies.function(&body);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&functions)
            .section(&tables)
            .section(&elements)
            .section(&bodies);
        module.finish()
    }

    fn segments(wasm: &[u8]) -> usize {
        Parser::new(0)
            .parse_all(wasm)
            .filter_map(|payload| match payload.unwrap() {
                Payload::ElementSection(section) => Some(section.count() as usize),
                _ => None,
            })
            .sum()
    }

    #[test]
    fn only_the_segments_of_nulls_go() {
        let before = module(&[Instruction::Nop]);
        let after = drop_null_segments(&before).unwrap();
        wasmparser::validate(&after).unwrap();
        assert_eq!((segments(&before), segments(&after)), (2, 1));
        assert!(after.len() < before.len());
    }

    #[test]
    fn code_that_names_segments_is_refused() {
        let wasm = module(&[Instruction::ElemDrop(1)]);
        wasmparser::validate(&wasm).unwrap();
        assert!(drop_null_segments(&wasm).is_err());
    }
}
