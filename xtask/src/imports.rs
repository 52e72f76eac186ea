//! Short import names for the field's module.
//!
//! wasm-bindgen names each JS function the module imports `__wbg_<name>_<16 hex digits>`, and
//! writes every name twice: in the module's import section and as a key of the import object in
//! the JS glue. A hundred such names gzip badly. [`shorten`] renames
//! them `i0`, `i1`, … in both files. The names are keys and nothing else: the glue reaches the
//! functions through the import object, the module through its import indices.

/// Renames the imports from `module` (the glue's name for itself, `./cardvault_bg.js`) in
/// `wasm`, and the matching keys of the import object in `js`. Fails, changing nothing, when
/// the module does not parse or an import's name is not found exactly once in the glue.
pub fn shorten(wasm: &[u8], js: &str, module: &str) -> Result<(Vec<u8>, String), String> {
    const HEADER: [u8; 8] = *b"\0asm\x01\0\0\0";
    if wasm.get(..8) != Some(&HEADER[..]) {
        return Err("not a WebAssembly module".to_owned());
    }
    let mut out = HEADER.to_vec();
    let mut js = js.to_owned();
    let mut reader = Reader { bytes: wasm, at: 8 };
    while !reader.done() {
        let id = reader.byte()?;
        let len = reader.leb()? as usize;
        let body = reader.take(len)?;
        let body = if id == IMPORT_SECTION {
            rename_imports(body, &mut js, module)?
        } else {
            body.to_vec()
        };
        out.push(id);
        push_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok((out, js))
}

const IMPORT_SECTION: u8 = 2;

/// The import section with the imports from `module` renamed, and `js` to match.
fn rename_imports(section: &[u8], js: &mut String, module: &str) -> Result<Vec<u8>, String> {
    let mut reader = Reader {
        bytes: section,
        at: 0,
    };
    let count = reader.leb()?;
    let mut out = Vec::with_capacity(section.len());
    push_leb(&mut out, count);
    let mut renamed = 0;
    for _ in 0..count {
        let from = reader.name()?;
        let name = reader.name()?;
        let descriptor = reader.import_descriptor()?;
        let new_name = if from == module {
            let short = format!("i{renamed:x}");
            if js.matches(name).count() != 1 {
                return Err(format!(
                    "the import {name} is not named once in the JS glue"
                ));
            }
            *js = js.replacen(name, &short, 1);
            renamed += 1;
            short
        } else {
            name.to_owned()
        };
        push_name(&mut out, from);
        push_name(&mut out, &new_name);
        out.extend_from_slice(descriptor);
    }
    if !reader.done() {
        return Err("trailing bytes in the import section".to_owned());
    }
    Ok(out)
}

/// A cursor over a module's bytes ([the binary format]).
///
/// [the binary format]: https://webassembly.github.io/spec/core/binary/modules.html
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or("truncated module")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned LEB128 integer.
    fn leb(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("LEB128 integer too long".to_owned())
    }

    fn name(&mut self) -> Result<&'a str, String> {
        let len = self.leb()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| "a name is not UTF-8".to_owned())
    }

    /// The bytes of an import's descriptor: a function, table, memory, global or tag.
    fn import_descriptor(&mut self) -> Result<&'a [u8], String> {
        let start = self.at;
        match self.byte()? {
            0x00 => {
                self.leb()?;
            }
            0x01 => {
                self.byte()?;
                self.limits()?;
            }
            0x02 => self.limits()?,
            0x03 => {
                self.byte()?;
                self.byte()?;
            }
            0x04 => {
                self.byte()?;
                self.leb()?;
            }
            kind => return Err(format!("unknown import kind {kind}")),
        }
        Ok(&self.bytes[start..self.at])
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }
}

fn push_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    push_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing a function from the glue, a memory from elsewhere, and a global
    /// from the glue, with a type section before and a custom section after.
    fn module(names: [&str; 2]) -> Vec<u8> {
        let mut imports = Vec::new();
        push_leb(&mut imports, 3);
        push_name(&mut imports, "./glue.js");
        push_name(&mut imports, names[0]);
        imports.extend([0x00, 0x00]);
        push_name(&mut imports, "env");
        push_name(&mut imports, "memory");
        imports.extend([0x02, 0x01, 0x11, 0x80, 0x01]);
        push_name(&mut imports, "./glue.js");
        push_name(&mut imports, names[1]);
        imports.extend([0x03, 0x7f, 0x00]);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 4, 1, 0x60, 0, 0]);
        wasm.push(IMPORT_SECTION);
        push_leb(&mut wasm, imports.len() as u64);
        wasm.extend(imports);
        wasm.extend([0, 3, 2, b'h', b'i']);
        wasm
    }

    #[test]
    fn renames_the_glue_imports_in_both_files() {
        let long = [
            "__wbg_focus_0123456789abcdef",
            "__wbg_flag_fedcba9876543210",
        ];
        let js = "const import0 = { __wbg_focus_0123456789abcdef: function() {}, \
                  __wbg_flag_fedcba9876543210: 1 };";
        let (wasm, js) = shorten(&module(long), js, "./glue.js").unwrap();
        assert_eq!(wasm, module(["i0", "i1"]));
        assert_eq!(js, "const import0 = { i0: function() {}, i1: 1 };");
    }

    #[test]
    fn refuses_a_name_missing_from_the_glue() {
        let long = [
            "__wbg_focus_0123456789abcdef",
            "__wbg_flag_fedcba9876543210",
        ];
        let js = "const import0 = { __wbg_focus_0123456789abcdef: function() {} };";
        assert!(shorten(&module(long), js, "./glue.js").is_err());
        assert!(shorten(b"\0asm\x02\0\0\0", js, "./glue.js").is_err());
        let mut truncated = module(long);
        truncated.pop();
        assert!(shorten(&truncated, js, "./glue.js").is_err());
    }
}
