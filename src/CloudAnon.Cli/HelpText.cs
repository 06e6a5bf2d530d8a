namespace CloudAnon.Cli;

internal static class HelpText
{
    public static string Version =>
        $"cloudanon {typeof(HelpText).Assembly.GetName().Version?.ToString(3)} (gdcmanon-compatible command line; PS3.15 Annex E, current edition)";

    public const string Usage = """
        Usage: cloudanon [OPTION]... IN OUT
               cloudanon [OPTION]... -i IN -o OUT
        De-identifies DICOM files by PS3.15 Annex E (every row of Table E.1-1 and its options), reversibly to an
        X.509 certificate as gdcmanon does, or re-identifies them. IN and OUT are two files, or two directories
        (the output tree mirrors the input tree). Other verbs (each with --help): dump, convert, process, backfill, gateway, report.

        Mode (one of):
          -e --de-identify            De-identify (default). Needs -c, or --irreversible.
          -d --re-identify            Re-identify. Needs -k (a PEM key alone, with -c, or a PFX), or --key-vault.
             --dumb                   Dumb mode: only the --empty/--clear/--remove/--replace edits.
        Input and output:
          -i --input PATH             DICOM file or directory.
          -o --output PATH            DICOM file or directory (created; never the input).
          -r --recursive              Process sub-directories too.
             --continue               Skip unreadable (non-DICOM) files and keep going after a failed file.
             --rename-by-uid          Write OUT/{StudyUID}/{SeriesUID}/{SOPUID}.dcm from the new UIDs (with -e).
             --jobs N                 Files processed in parallel (default: all cores). One mapping per run.
             --audit DIR              Write an audit record (JSON, docs/audit.md) per file and outcome into DIR (with -e).
        De-identification:
             --root-uid UID           Root of new UIDs (default 2.25 UUID form). Env: CLOUDANON_ROOT_UID, GDCM_ROOT_UID.
             --option NAME            Annex E option, repeatable: retain-safe-private, retain-uids,
                                      retain-device-identity, retain-institution-identity,
                                      retain-patient-characteristics, retain-longitudinal-full-dates,
                                      retain-longitudinal-modified-dates, clean-descriptors,
                                      clean-structured-content, clean-graphics; burned-in text:
                                      clean-pixel-data=off|on|detect-only,
                                      pixel-candidates=by-modality|trust-explicit-no|every-image,
                                      pixel-text=all|identifying;
                                      retain-unlisted-attributes (keep what Table E.1-1 does not name).
             --irreversible           Write no encrypted originals (0400,0500); no certificate needed.
             --allow-deidentified     Process inputs already marked de-identified (gdcmanon refuses them).
          -c --certificate PATH       Certificate (PEM, DER or PFX) that the originals are encrypted to.
          -k --key PATH               RSA private key (PEM) or PFX, for -d.
             --password-file FILE     Password of an encrypted PEM key or a PFX. Env: CLOUDANON_KEY_PASSWORD.
          -p --password TEXT          Refused: a password on the command line shows in `ps`.
             --key-vault URI          Key Vault holding the certificate with its key, for -d
             --certificate-name NAME  (signs in with DefaultAzureCredential).
             --resources-path PATH    Accepted for gdcmanon compatibility; not needed.
             --crypto=NAME            Accepted for gdcmanon compatibility; .NET cryptography is always used.
        Content cipher (de-identification):
             --aes256                 AES-256-CBC (default).
             --aes192 --aes128        AES-192-CBC, AES-128-CBC.
             --des3                   Triple DES.
             --des                    Refused: single DES is insecure.
        Dumb mode edits (hexadecimal group,element; private attributes as group,element,creator):
             --empty g,e[,creator]    Make empty; insert empty when absent.
             --clear g,e[,creator]    Make empty only when present.
             --remove g,e[,creator]   Remove.
             --replace g,e=VALUE      Set a text value (also g,e,VALUE and g,e,creator=VALUE).
        General:
          -V --verbose                Warnings too (e.g. burned-in annotation) and the summary for one file.
          -W --warning                Warnings too.
          -E --error                  Errors (always printed).
          -D --debug                  Every file as it is done.
          -h --help                   This help.
          -v --version                Version.
        Exit codes: 0 all done, 1 some files failed or were skipped, 2 usage error.
        Messages name the paths you gave and tags/offsets, never a value read from a file.
        """;
}
